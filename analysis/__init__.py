"""Discourse Lab."""
