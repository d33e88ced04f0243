"""REST routes an interaction opens: the callback and the webhook routes of its token."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.testing.discord_emulator.limits import AUTOCOMPLETE_CHOICES, CHOICE_NAME_LIMIT, CHOICE_VALUE_LIMIT
from bot.testing.discord_emulator.protocol import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_PONG,
    CALLBACK_UPDATE_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    _error,
    _json_response,
)
from bot.testing.discord_emulator.records import RECORDED, SentInteraction


class InteractionRoutesMixin:
    """Interaction callback and follow-up webhook handlers (mixed into DiscordEmulator)."""

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(int(request.match_info["interaction_id"]))
        if interaction is None or interaction.token != request.match_info["interaction_token"]:
            return _error(404, 10062, "Unknown interaction")
        if interaction.responded:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        if request[RECORDED].time - interaction.sent_at > self.interaction_deadline:
            return _error(404, 10062, "Unknown interaction")
        body = request[RECORDED].json or {}
        callback_type = body.get("type")
        data = body.get("data") or {}
        route = request[RECORDED].route
        channel_id = int(interaction.payload["channel"]["id"]) if interaction.payload.get("channel") else 0
        message: dict[str, Any] | None = None
        loading = ephemeral = False

        if callback_type == CALLBACK_MESSAGE:
            invalid = self._check_limits(route, data) or self._check_attachments(body, data)
            if invalid is not None:
                return invalid
            if not data.get("content") and not data.get("embeds") and not data.get("components") and not body.get("_files"):
                return _error(400, 50006, "Cannot send an empty message")
            message = self.new_message(
                channel_id, self.bot_user, data, webhook_id=self.application_id, interaction=interaction
            )
            self._attach(message, body, data)
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
            interaction.original_message_id = int(message["id"])
        elif callback_type == CALLBACK_DEFERRED_MESSAGE:
            loading = True
            message = self.new_message(
                channel_id,
                self.bot_user,
                {"flags": data.get("flags") or 0},
                webhook_id=self.application_id,
                interaction=interaction,
                extra_flags=FLAG_LOADING,
            )
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
            interaction.original_message_id = int(message["id"])
        elif callback_type in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            if interaction.type not in (INTERACTION_COMPONENT, INTERACTION_MODAL_SUBMIT) or "message" not in interaction.payload:
                return _error(400, 40043, "Interaction has no message to update")
            message = self.messages.get(int(interaction.payload["message"]["id"]))
            if message is None:
                return _error(404, 10008, "Unknown Message")
            if callback_type == CALLBACK_UPDATE_MESSAGE:
                invalid = self._check_limits(route, {**message, **data})
                if invalid is not None:
                    return invalid
                self._apply_edit(message, data)
            interaction.original_message_id = int(message["id"])
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
        elif callback_type == CALLBACK_AUTOCOMPLETE:
            if interaction.type != INTERACTION_AUTOCOMPLETE:
                return _error(400, 50035, "Invalid Form Body")
            problems = self._choice_problems(data.get("choices"))
            if problems:
                self.limit_violations.append((route, problems))
                return _error(400, 50035, "Invalid Form Body", {"_errors": problems})
        elif callback_type == CALLBACK_MODAL:
            if interaction.type == INTERACTION_MODAL_SUBMIT:
                return _error(400, 50035, "A modal cannot open another modal")
        elif callback_type != CALLBACK_PONG:
            return _error(400, 50035, "Invalid Form Body", {"type": callback_type})

        interaction.responded = True
        payload: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": loading,
                "response_message_ephemeral": ephemeral,
            },
            "resource": {"type": callback_type},
        }
        if message is not None:
            payload["interaction"]["response_message_id"] = message["id"]
            payload["resource"]["message"] = message
            if callback_type == CALLBACK_MESSAGE:
                await self._echo_message(message)
        return _json_response(payload)

    @staticmethod
    def _choice_problems(choices: Any) -> list[str]:
        if not isinstance(choices, list):
            return ["choices is not a list"]
        problems = []
        if len(choices) > AUTOCOMPLETE_CHOICES:
            problems.append(f"{len(choices)} choices > {AUTOCOMPLETE_CHOICES}")
        for choice in choices:
            if not 1 <= len(str(choice.get("name", ""))) <= CHOICE_NAME_LIMIT:
                problems.append(f"choice name {choice.get('name')!r} not within 1..{CHOICE_NAME_LIMIT}")
            value = choice.get("value")
            if isinstance(value, str) and len(value) > CHOICE_VALUE_LIMIT:
                problems.append(f"choice value {value!r} longer than {CHOICE_VALUE_LIMIT}")
        return problems

    def _webhook_interaction(self, request: web.Request) -> SentInteraction | None:
        if int(request.match_info["webhook_id"]) != self.application_id:
            return None
        return self._interactions_by_token.get(request.match_info["webhook_token"])

    async def _execute_webhook(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        if not interaction.responded:
            return _error(404, 10015, "Unknown Webhook")  # Discord requires the initial response first
        body = request[RECORDED].json or {}
        invalid = self._check_limits(request[RECORDED].route, body) or self._check_attachments(body, body)
        if invalid is not None:
            return invalid
        if not body.get("content") and not body.get("embeds") and not body.get("components") and not body.get("_files"):
            return _error(400, 50006, "Cannot send an empty message")
        channel_id = int(request.query.get("thread_id") or interaction.payload["channel"]["id"])
        message = self.new_message(channel_id, self.bot_user, body, webhook_id=self.application_id, interaction=interaction)
        self._attach(message, body, body)
        await self._echo_message(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return _json_response(message)
        return web.Response(status=204)

    def _webhook_message(self, request: web.Request, interaction: SentInteraction) -> dict[str, Any] | None:
        message_ref = request.match_info["message_id"]
        if message_ref == "@original":
            if interaction.original_message_id is None:
                return None
            return self.messages.get(interaction.original_message_id)
        return self.messages.get(int(message_ref))

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        message = self._webhook_message(request, interaction) if interaction else None
        return _json_response(message) if message else _error(404, 10008, "Unknown Message")

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        message = self._webhook_message(request, interaction)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        return self._edit_within_limits(request, message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        message = self._webhook_message(request, interaction)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        del self.messages[int(message["id"])]
        return web.Response(status=204)
