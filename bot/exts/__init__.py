"""Discord extensions (cogs), one package per feature area; each module ends with `async def setup(bot)`."""
