"""The site: pages assembled from every stage's output, rendered with the theme, written."""
