-- The store's tables: documents, their chunks, copies between chunks, quotes, known names, and meta.
-- Applied with CREATE ... IF NOT EXISTS on every open, so a new table or index reaches old stores too.
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT,
    url TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    minhash BLOB NOT NULL,
    group_id TEXT,
    ingested_at TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS documents_origin ON documents(origin);
CREATE INDEX IF NOT EXISTS documents_group ON documents(group_id);
CREATE INDEX IF NOT EXISTS documents_content ON documents(content_hash);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE INDEX IF NOT EXISTS documents_date ON documents(date);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    norm_hash TEXT NOT NULL,
    embed_key TEXT,
    embedding BLOB
);
CREATE INDEX IF NOT EXISTS chunks_embed_key ON chunks(embed_key) WHERE embedding IS NOT NULL;
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, position);
CREATE INDEX IF NOT EXISTS chunks_norm ON chunks(norm_hash);
CREATE TABLE IF NOT EXISTS chunk_copies (
    chunk_id INTEGER NOT NULL REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    copy_id INTEGER NOT NULL REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    PRIMARY KEY (chunk_id, copy_id)
);
CREATE INDEX IF NOT EXISTS chunk_copies_copy ON chunk_copies(copy_id);
CREATE TABLE IF NOT EXISTS quotes (
    quote_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    chunk_id INTEGER REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    norm_hash TEXT NOT NULL,
    speaker TEXT,
    org TEXT,
    mention TEXT,
    evidence TEXT,
    method TEXT
);
CREATE INDEX IF NOT EXISTS quotes_doc ON quotes(doc_id);
CREATE INDEX IF NOT EXISTS quotes_chunk ON quotes(chunk_id);
CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes(speaker);
CREATE INDEX IF NOT EXISTS quotes_speaker_hash ON quotes(speaker, norm_hash);
CREATE TABLE IF NOT EXISTS names (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    orgs TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Inputs an ingest could not read, with the size and modification time of their file then: a later run that
-- meets the same file unchanged and failing the same way says so in one line instead of reporting it again.
CREATE TABLE IF NOT EXISTS problems (
    origin TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    reason TEXT NOT NULL
);
-- E-mail threading (archive/store/threads.py): one row per document once it has been looked at; message_id is
-- NULL for documents that are not messages, parent_message for an attachment names its message.
CREATE TABLE IF NOT EXISTS mail_messages (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    message_id TEXT,
    parent_message TEXT,
    links TEXT,
    thread TEXT,
    parent TEXT,
    how TEXT
);
CREATE INDEX IF NOT EXISTS mail_messages_id ON mail_messages(message_id);
CREATE INDEX IF NOT EXISTS mail_messages_thread ON mail_messages(thread);
CREATE INDEX IF NOT EXISTS mail_messages_parent_message ON mail_messages(parent_message);
-- Who each message is from and to (archive/store/threads.py), for the correspondents view.
CREATE TABLE IF NOT EXISTS mail_people (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT
);
CREATE INDEX IF NOT EXISTS mail_people_address ON mail_people(address, role);
CREATE INDEX IF NOT EXISTS mail_people_doc ON mail_people(doc_id);
CREATE INDEX IF NOT EXISTS mail_people_name ON mail_people(name COLLATE NOCASE);
-- The bytes each document was read from (archive/store/originals.py): files named by their SHA-256 under
-- DATA_DIR/originals/, one copy of identical bytes however many documents came from them. No foreign key: a
-- document stored again (an update, re-chunking) keeps its original; rows of removed documents are dropped after
-- the next ingest.
CREATE TABLE IF NOT EXISTS originals (
    doc_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS originals_sha256 ON originals(sha256);
