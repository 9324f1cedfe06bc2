"""The Streamlit dashboard: leadership pages, the uploads page and the display screen."""
