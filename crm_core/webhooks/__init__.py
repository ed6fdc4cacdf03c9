"""Webhooks: endpoints an admin registers, one delivery per (endpoint, event)
signed per Standard Webhooks, retried on a fixed schedule, sent through a
transport that refuses internal addresses at connect time."""
