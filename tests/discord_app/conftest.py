from tests.exts.conftest import emulator, kb_dir, settings  # noqa: F401  (shared fixtures)
