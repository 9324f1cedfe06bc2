"""The store: typed SQLAlchemy models, the campaign, and the indicator queries.

Nothing here knows about collectors, plugins or the dashboard.
"""
