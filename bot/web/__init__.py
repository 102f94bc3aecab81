"""The project's website: public pages and the chat widget (aiohttp; ``create_app``)."""
