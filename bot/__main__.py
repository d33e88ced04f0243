from bot.cli import main

if __name__ == "__main__":  # a spawned worker process (pictures) imports this module without running the bot
    raise SystemExit(main())
