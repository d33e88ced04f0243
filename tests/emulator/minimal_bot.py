"""A minimal discord.py bot used only to prove the emulator (not the product bot)."""

from __future__ import annotations

import contextlib

import discord
from discord import app_commands
from discord.ext import commands

FRUITS = ["apple", "apricot", "banana", "blueberry", "cherry"]


class ConfirmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.clicked_by: list[int] = []

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.primary)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        self.clicked_by.append(interaction.user.id)
        await interaction.response.edit_message(content="confirmed", view=None)
        self.stop()  # finished views must stop, or their timeout task outlives the client


class ReasonModal(discord.ui.Modal, title="Why?"):
    reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(label="Reason", custom_id="reason", required=False)

    def __init__(self, received: list[str]) -> None:
        super().__init__()
        self.received = received

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.received.append(self.reason.value)
        await interaction.response.send_message("thanks", ephemeral=True)


class MinimalBot(commands.Bot):
    def __init__(self, *, guild_id: int) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.01,
        )
        self.guild_id = guild_id
        self.modal_answers: list[str] = []
        self.errors: list[BaseException] = []
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self._add_commands()

    def _add_commands(self) -> None:
        guild = discord.Object(self.guild_id)

        @self.tree.command(name="echo", description="Echo text back")
        async def echo(interaction: discord.Interaction, text: str, loud: bool = False) -> None:
            await interaction.response.send_message(text.upper() if loud else text)

        @self.tree.command(name="later", description="Defer, then answer with a follow-up")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done later")

        @self.tree.command(name="fruit", description="Pick a fruit", guild=guild)
        async def fruit(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"you picked {name}")

        @fruit.autocomplete("name")
        async def fruit_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

        @self.tree.command(name="confirm", description="Show a button")
        async def confirm(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("press it", view=ConfirmView())

        @self.tree.command(name="why", description="Open a modal")
        async def why(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(ReasonModal(self.modal_answers))

        @self.tree.command(name="boom", description="Raise")
        async def boom(interaction: discord.Interaction) -> None:
            raise RuntimeError("boom")

        @self.tree.command(name="thread", description="Post a message, pin it and open a thread")
        async def thread(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            message = await interaction.channel.send("pinned topic")  # type: ignore[union-attr]
            await message.pin()
            await message.create_thread(name="discussion")
            await interaction.followup.send("ok", ephemeral=True)

        @self.tree.context_menu(name="Shout")
        async def shout(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(message.content.upper())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s before a re-IDENTIFY to respect Discord's identify limit; the emulator has none.
        return None

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        self.errors.append(error)
        # If the interaction expired there is nothing more to tell the user.
        with contextlib.suppress(discord.HTTPException):
            await interaction.response.send_message("Something went wrong.", ephemeral=True)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if self.user is not None and self.user in message.mentions:
            await message.reply(f"pong: {message.clean_content}")
