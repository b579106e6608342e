"""What an import did, for the screen, the CLI's --json and the import log."""
import dataclasses

from importers.base import RowProblem


@dataclasses.dataclass
class ImportResult:
    filename: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            'file': self.filename,
            'created': self.created,
            'updated': self.updated,
            'unchanged': self.unchanged,
            'problems': [{'line': p.line, 'field': p.field, 'value': p.value, 'message': p.message}
                         for p in self.problems],
        }
