"""Source file -> ModuleFacts: read, hash, decode, parse (with fallback), extract."""

from __future__ import annotations

from layerlint.core.digest import blake2b
from layerlint.project.reading.discovery import SourceFile, read_source
from layerlint.project.reading.extract import extract
from layerlint.project.reading.facts import ModuleFacts, ParseFailureFact
from layerlint.project.reading.parsing import ParseFailure, decode_source, parse_source


def content_hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def facts_from_bytes(source_file: SourceFile, data: bytes) -> ModuleFacts:
    facts = ModuleFacts(module=source_file.module, path=source_file.relative, is_package=source_file.is_package)
    text = decode_source(data)
    if isinstance(text, ParseFailure):
        facts.failure = ParseFailureFact(text.message, text.line, text.column)
        return facts
    parsed = parse_source(text, source_file.relative)
    if isinstance(parsed, ParseFailure):
        facts.failure = ParseFailureFact(parsed.message, parsed.line, parsed.column)
        return facts
    facts.lowered = parsed.lowered
    try:
        return extract(facts, parsed.tree, text)
    except RecursionError:
        failed = ModuleFacts(facts.module, facts.path, facts.is_package)
        failed.failure = ParseFailureFact("cannot analyse the file: nesting too deep", 1, 1)
        return failed


def load_facts(source_file: SourceFile) -> ModuleFacts:
    try:
        data = read_source(source_file.location)
    except OSError as error:
        facts = ModuleFacts(source_file.module, source_file.relative, source_file.is_package)
        facts.failure = ParseFailureFact(f"cannot read the file: {error.strerror or error}", 1, 1)
        return facts
    return facts_from_bytes(source_file, data)
