"""The pages: each module parses input, calls services and selectors, and renders a template."""
