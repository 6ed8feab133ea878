"""Infrastructure the local stack runs beside the services: Redis and Prometheus."""
