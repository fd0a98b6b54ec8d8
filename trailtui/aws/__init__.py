"""AWS plumbing: configuration, the one client factory, the allow-list, error text."""
