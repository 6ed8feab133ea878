"""HTTP boundary pieces shared by the services: wire models, error shape, header names."""
