"""Small pieces both services use: the delivery-report record, Redis helpers, background tasks."""
