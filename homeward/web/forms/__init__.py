"""Forms of the pages: they parse what was typed; the domain services decide what is allowed."""
