"""Topics: clusters of the article vectors, their names, stable slugs and map positions."""
