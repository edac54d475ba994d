"""The fixed fields of AsyncAPI's objects, per version: facts, kept as data.

Read off the AsyncAPI specification (2.0.0 to 2.6.0, 3.0.0, 3.1.0) and the JSON Schemas the
official parser enforces; where the two differ (2.0.0's schema already allows
``defaultContentType`` and ``deprecated``), the schema wins, so a document the parser accepts gets
no warning. ``tests/test_asyncapi_fields.py`` checks these tables against those schemas.

Each kind of object maps its fields to what their values hold: ``""`` a value not walked into
(strings, schemas, runtime expressions, security requirements), ``"kind"`` one object of that kind,
``"{kind}"`` a map of names to such objects, ``"[kind]"`` a list of them. ``x-`` extensions are
allowed in every object, and a ``$ref`` is followed before the object it stands for is read.
"""

from __future__ import annotations

VERSIONS_2 = ("2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0")
VERSIONS_3 = ("3.0.0", "3.1.0")

_TAGS_DOCS = {"tags": "[tag]", "externalDocs": "externalDocs"}
_TEXTS = {"summary": "", "description": ""}

#: AsyncAPI 2.x, as of 2.6.0; ``SINCE_2`` says which fields came later than 2.0.0.
FIELDS_2: dict[str, dict[str, str]] = {
    "document": {
        "asyncapi": "",
        "id": "",
        "info": "info",
        "servers": "{server}",
        "defaultContentType": "",
        "channels": "{channel}",
        "components": "components",
        **_TAGS_DOCS,
    },
    "info": {
        "title": "",
        "version": "",
        "description": "",
        "termsOfService": "",
        "contact": "contact",
        "license": "license",
    },
    "contact": {"name": "", "url": "", "email": ""},
    "license": {"name": "", "url": ""},
    "server": {
        "url": "",
        "protocol": "",
        "protocolVersion": "",
        "description": "",
        "variables": "{serverVariable}",
        "security": "",
        "tags": "[tag]",
        "bindings": "serverBindings",
    },
    "serverVariable": {"enum": "", "default": "", "description": "", "examples": ""},
    "channel": {
        "description": "",
        "servers": "",
        "subscribe": "operation",
        "publish": "operation",
        "parameters": "{parameter}",
        "bindings": "channelBindings",
        "deprecated": "",
    },
    "operation": {
        "operationId": "",
        **_TEXTS,
        "security": "",
        **_TAGS_DOCS,
        "bindings": "operationBindings",
        "traits": "[operationTrait]",
        "message": "message",
    },
    "operationTrait": {
        "operationId": "",
        **_TEXTS,
        "security": "",
        **_TAGS_DOCS,
        "bindings": "operationBindings",
    },
    "message": {
        "messageId": "",
        "headers": "",
        "payload": "",
        "correlationId": "correlationId",
        "schemaFormat": "",
        "contentType": "",
        "name": "",
        "title": "",
        **_TEXTS,
        **_TAGS_DOCS,
        "bindings": "messageBindings",
        "examples": "[messageExample]",
        "traits": "[messageTrait]",
        "deprecated": "",
    },
    "messageTrait": {
        "messageId": "",
        "headers": "",
        "correlationId": "correlationId",
        "schemaFormat": "",
        "contentType": "",
        "name": "",
        "title": "",
        **_TEXTS,
        **_TAGS_DOCS,
        "bindings": "messageBindings",
        "examples": "",
        "deprecated": "",
    },
    "messageExample": {"headers": "", "payload": "", "name": "", "summary": ""},
    "components": {
        "schemas": "",
        "servers": "{server}",
        "serverVariables": "{serverVariable}",
        "channels": "{channel}",
        "messages": "{message}",
        "securitySchemes": "{securityScheme}",
        "parameters": "{parameter}",
        "correlationIds": "{correlationId}",
        "operationTraits": "{operationTrait}",
        "messageTraits": "{messageTrait}",
        "serverBindings": "{serverBindings}",
        "channelBindings": "{channelBindings}",
        "operationBindings": "{operationBindings}",
        "messageBindings": "{messageBindings}",
    },
    "parameter": {"description": "", "schema": "", "location": ""},
    "tag": {"name": "", "description": "", "externalDocs": "externalDocs"},
    "externalDocs": {"description": "", "url": ""},
    "correlationId": {"description": "", "location": ""},
    "securityScheme": {
        "type": "",
        "description": "",
        "name": "",
        "in": "",
        "scheme": "",
        "bearerFormat": "",
        "flows": "oauthFlows",
        "openIdConnectUrl": "",
    },
    "oauthFlows": {
        "implicit": "oauthFlow",
        "password": "oauthFlow",
        "clientCredentials": "oauthFlow",
        "authorizationCode": "oauthFlow",
    },
    "oauthFlow": {"authorizationUrl": "", "tokenUrl": "", "refreshUrl": "", "scopes": ""},
    # 2.x bindings objects take any protocol name (see OPEN_2); the WebSocket one is checked.
    "serverBindings": {},
    "channelBindings": {"ws": "wsChannelBinding"},
    "operationBindings": {},
    "messageBindings": {},
    "wsChannelBinding": {"method": "", "query": "", "headers": "", "bindingVersion": ""},
}

#: (kind, field) -> the first 2.x version that has it.
SINCE_2: dict[tuple[str, str], str] = {
    ("messageExample", "name"): "2.1.0",
    ("messageExample", "summary"): "2.1.0",
    ("channel", "servers"): "2.2.0",
    ("components", "servers"): "2.3.0",
    ("components", "channels"): "2.3.0",
    ("components", "serverVariables"): "2.4.0",
    ("message", "messageId"): "2.4.0",
    ("messageTrait", "messageId"): "2.4.0",
    ("operation", "security"): "2.4.0",
    ("operationTrait", "security"): "2.4.0",
    ("server", "tags"): "2.5.0",
}

#: 2.x kinds whose field names are open (any protocol may have bindings).
OPEN_2 = frozenset({"serverBindings", "channelBindings", "operationBindings", "messageBindings"})

_PROTOCOLS_3 = [
    "http",
    "ws",
    "kafka",
    "anypointmq",
    "amqp",
    "amqp1",
    "mqtt",
    "nats",
    "jms",
    "sns",
    "solace",
    "sqs",
    "stomp",
    "redis",
    "ibmmq",
    "googlepubsub",
]

#: AsyncAPI 3.x, as of 3.1.0; ``SINCE_3`` says which fields came with 3.1.0.
FIELDS_3: dict[str, dict[str, str]] = {
    "document": {
        "asyncapi": "",
        "id": "",
        "info": "info",
        "servers": "{server}",
        "defaultContentType": "",
        "channels": "{channel}",
        "operations": "{operation}",
        "components": "components",
    },
    "info": {
        "title": "",
        "version": "",
        "description": "",
        "termsOfService": "",
        "contact": "contact",
        "license": "license",
        **_TAGS_DOCS,
    },
    "contact": {"name": "", "url": "", "email": ""},
    "license": {"name": "", "url": ""},
    "server": {
        "host": "",
        "protocol": "",
        "protocolVersion": "",
        "pathname": "",
        "description": "",
        "title": "",
        "summary": "",
        "variables": "{serverVariable}",
        "security": "",
        **_TAGS_DOCS,
        "bindings": "serverBindings",
    },
    "serverVariable": {"enum": "", "default": "", "description": "", "examples": ""},
    "channel": {
        "address": "",
        "messages": "{message}",
        "title": "",
        **_TEXTS,
        "servers": "",
        "parameters": "{parameter}",
        **_TAGS_DOCS,
        "bindings": "channelBindings",
    },
    "operation": {
        "action": "",
        "channel": "",
        "title": "",
        **_TEXTS,
        "security": "",
        **_TAGS_DOCS,
        "bindings": "operationBindings",
        "traits": "[operationTrait]",
        "messages": "",
        "reply": "operationReply",
    },
    "operationTrait": {
        "title": "",
        **_TEXTS,
        "security": "",
        **_TAGS_DOCS,
        "bindings": "operationBindings",
    },
    "operationReply": {"address": "operationReplyAddress", "channel": "", "messages": ""},
    "operationReplyAddress": {"description": "", "location": ""},
    "message": {
        "headers": "",
        "payload": "",
        "correlationId": "correlationId",
        "contentType": "",
        "name": "",
        "title": "",
        **_TEXTS,
        **_TAGS_DOCS,
        "bindings": "messageBindings",
        "examples": "[messageExample]",
        "traits": "[messageTrait]",
        "deprecated": "",
    },
    "messageTrait": {
        "headers": "",
        "correlationId": "correlationId",
        "contentType": "",
        "name": "",
        "title": "",
        **_TEXTS,
        **_TAGS_DOCS,
        "bindings": "messageBindings",
        "examples": "[messageExample]",
        "deprecated": "",
    },
    "messageExample": {"headers": "", "payload": "", "name": "", "summary": ""},
    "components": {
        "schemas": "",
        "servers": "{server}",
        "channels": "{channel}",
        "operations": "{operation}",
        "messages": "{message}",
        "securitySchemes": "{securityScheme}",
        "serverVariables": "{serverVariable}",
        "parameters": "{parameter}",
        "correlationIds": "{correlationId}",
        "replies": "{operationReply}",
        "replyAddresses": "{operationReplyAddress}",
        "externalDocs": "{externalDocs}",
        "tags": "{tag}",
        "operationTraits": "{operationTrait}",
        "messageTraits": "{messageTrait}",
        "serverBindings": "{serverBindings}",
        "channelBindings": "{channelBindings}",
        "operationBindings": "{operationBindings}",
        "messageBindings": "{messageBindings}",
    },
    "parameter": {"enum": "", "default": "", "description": "", "examples": "", "location": ""},
    "tag": {"name": "", "description": "", "externalDocs": "externalDocs"},
    "externalDocs": {"description": "", "url": ""},
    "correlationId": {"description": "", "location": ""},
    "securityScheme": {
        "type": "",
        "description": "",
        "name": "",
        "in": "",
        "scheme": "",
        "bearerFormat": "",
        "flows": "oauthFlows",
        "openIdConnectUrl": "",
        "scopes": "",
    },
    "oauthFlows": {
        "implicit": "oauthFlow",
        "password": "oauthFlow",
        "clientCredentials": "oauthFlow",
        "authorizationCode": "oauthFlow",
    },
    "oauthFlow": {
        "authorizationUrl": "",
        "tokenUrl": "",
        "refreshUrl": "",
        "availableScopes": "",
    },
    "serverBindings": {**dict.fromkeys(_PROTOCOLS_3, ""), "pulsar": "", "ros2": ""},
    "channelBindings": {**dict.fromkeys(_PROTOCOLS_3, ""), "pulsar": "", "ws": "wsChannelBinding"},
    "operationBindings": {**dict.fromkeys(_PROTOCOLS_3, ""), "ros2": ""},
    "messageBindings": dict.fromkeys(_PROTOCOLS_3, ""),
    "wsChannelBinding": {"method": "", "query": "", "headers": "", "bindingVersion": ""},
}

SINCE_3: dict[tuple[str, str], str] = {
    ("serverBindings", "ros2"): "3.1.0",
    ("operationBindings", "ros2"): "3.1.0",
}

#: Security scheme ``type`` -> its fields (besides ``type`` and ``description``).
SECURITY_2: dict[str, frozenset[str]] = {
    "userPassword": frozenset(),
    "apiKey": frozenset({"in"}),
    "X509": frozenset(),
    "symmetricEncryption": frozenset(),
    "asymmetricEncryption": frozenset(),
    "httpApiKey": frozenset({"name", "in"}),
    "http": frozenset({"scheme", "bearerFormat"}),
    "oauth2": frozenset({"flows"}),
    "openIdConnect": frozenset({"openIdConnectUrl"}),
    "plain": frozenset(),
    "scramSha256": frozenset(),
    "scramSha512": frozenset(),
    "gssapi": frozenset(),
}
SECURITY_3: dict[str, frozenset[str]] = {
    **SECURITY_2,
    "oauth2": frozenset({"flows", "scopes"}),
    "openIdConnect": frozenset({"openIdConnectUrl", "scopes"}),
}
#: Security scheme types that came later than 2.0.0 (SASL, for Kafka).
SECURITY_SINCE_2 = dict.fromkeys(("plain", "scramSha256", "scramSha512", "gssapi"), "2.1.0")

#: How messages name each kind.
NAMES = {
    "document": "the document root",
    "info": "info",
    "contact": "info.contact",
    "license": "info.license",
    "server": "a server",
    "serverVariable": "a server variable",
    "channel": "a channel",
    "operation": "an operation",
    "operationTrait": "an operation trait",
    "operationReply": "an operation reply",
    "operationReplyAddress": "a reply address",
    "message": "a message",
    "messageTrait": "a message trait",
    "messageExample": "a message example",
    "components": "components",
    "parameter": "a parameter",
    "tag": "a tag",
    "externalDocs": "externalDocs",
    "correlationId": "a correlation ID",
    "securityScheme": "a security scheme",
    "oauthFlows": "OAuth flows",
    "oauthFlow": "an OAuth flow",
    "serverBindings": "server bindings",
    "channelBindings": "channel bindings",
    "operationBindings": "operation bindings",
    "messageBindings": "message bindings",
    "wsChannelBinding": "a WebSocket channel binding",
}


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def fields(kind: str, version: str) -> dict[str, str]:
    """The fields ``kind`` has in ``version`` (one of VERSIONS_2 or VERSIONS_3)."""
    table, since = (FIELDS_3, SINCE_3) if version.startswith("3.") else (FIELDS_2, SINCE_2)
    return {
        name: value
        for name, value in table.get(kind, {}).items()
        if _key(since.get((kind, name), version)) <= _key(version)
    }


def security_types(version: str) -> dict[str, frozenset[str]]:
    """Security scheme types of ``version``, each with its own fields."""
    if version.startswith("3."):
        return SECURITY_3
    return {
        name: own
        for name, own in SECURITY_2.items()
        if _key(SECURITY_SINCE_2.get(name, version)) <= _key(version)
    }


def is_open(kind: str, version: str) -> bool:
    """Whether ``kind`` takes field names beyond its table (2.x bindings objects)."""
    return version.startswith("2.") and kind in OPEN_2
