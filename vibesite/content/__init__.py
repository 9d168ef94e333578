"""Reading the content folder: files found, front matter, dates, Markdown, slugs, articles."""
