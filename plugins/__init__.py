"""The built-in plugins: one module per source, each registered like a third-party plugin."""
