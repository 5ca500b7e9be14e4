"""One module per command: each registers its options on the app (`register(app, shared)`)."""
