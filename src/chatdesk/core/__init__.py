"""The headless core: plain asyncio, never Qt."""
