"""The Discord front end: the bot class, start-up, error handling and shared helpers for the cogs in bot.exts."""
