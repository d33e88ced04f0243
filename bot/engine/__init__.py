"""The Discord-free answer engine: knowledge loading, retrieval and answer composition."""

from bot.engine.answer import Answer, Citation, Topic
from bot.engine.loader import KnowledgeBaseError, Problem, load_knowledge_base, validate
from bot.engine.prompts import PromptError, Prompts
from bot.engine.service import Engine

__all__ = [
    "Answer", "Citation", "Engine", "KnowledgeBaseError", "Problem", "PromptError", "Prompts",
    "Topic", "load_knowledge_base", "validate",
]
