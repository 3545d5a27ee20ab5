"""Notifications: findings -> one digest email per run (text and HTML), through an outbox that loses
nothing when the mail server is down and sends nothing twice."""
