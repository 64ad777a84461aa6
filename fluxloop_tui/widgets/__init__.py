"""Reusable widgets of the app, apart from the screens that compose them."""
