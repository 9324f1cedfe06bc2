"""What the campaign does with the data: supervision orders, notifications, the alerts list.

The application layer: it uses ``collectors`` and ``models`` and knows no particular source;
the dashboard and the command line call it.
"""
