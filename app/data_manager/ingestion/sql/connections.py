"""Source connection settings from URLs or ODBC strings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from data_manager.errors import UserError
from data_manager.ingestion.masking import ODBC_PASSWORD, mask_secrets


@dataclass(frozen=True)
class MySQLConnection:
    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_url(cls, url: str) -> MySQLConnection:
        """`mysql://user:password@host:3306/database` (also `mariadb://`, `mysql+pymysql://`)."""
        parts = urlsplit(url)
        if parts.scheme not in {"mysql", "mariadb", "mysql+pymysql"}:
            raise UserError(f"not a MySQL URL: {mask_secrets(url)!r} (expected mysql://user:password@host:port/db)")
        database = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not database:
            raise UserError(f"MySQL URL {mask_secrets(url)!r} needs a host and a database")
        try:
            port = parts.port or 3306
        except ValueError:
            raise UserError(f"MySQL URL {mask_secrets(url)!r} has an invalid port") from None
        return cls(
            host=parts.hostname,
            port=port,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=database,
        )

    def url(self, with_password: bool = True) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + (quote(self.password, safe="") if with_password else "***")
        return f"mysql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"

    def safe_description(self) -> str:
        return self.url(with_password=False)


def odbc_connection_string(url_or_odbc: str) -> str:
    """An ODBC connection string as given, or one built from `mssql://user:pw@host:port/db?driver=...`."""
    text = url_or_odbc.strip()
    if "://" not in text:
        if "=" not in text:
            raise UserError("MSSQL connection must be an ODBC string (DRIVER=...;SERVER=...) or an mssql:// URL")
        return text
    parts = urlsplit(text)
    if parts.scheme not in {"mssql", "mssql+pyodbc", "sqlserver"}:
        raise UserError(f"not an MSSQL URL: {mask_secrets(text)!r} (expected mssql://user:password@host:port/db)")
    query = dict(parse_qsl(parts.query))
    driver = query.pop("driver", "ODBC Driver 18 for SQL Server")
    server = parts.hostname or ""
    if parts.port:
        server += f",{parts.port}"
    fields = {"DRIVER": "{" + driver + "}", "SERVER": server, "DATABASE": unquote(parts.path.lstrip("/"))}
    if parts.username:
        fields["UID"] = unquote(parts.username)
    if parts.password:
        fields["PWD"] = "{" + unquote(parts.password).replace("}", "}}") + "}"
    fields.update(query)
    return ";".join(f"{key}={value}" for key, value in fields.items() if value != "")


def odbc_password(connection_string: str) -> str:
    """The PWD value of an ODBC string, only so it can be masked out of driver messages."""
    match = ODBC_PASSWORD.search(connection_string)
    if not match:
        return ""
    value = match["pw"].strip()
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1].replace("}}", "}")
    return value
