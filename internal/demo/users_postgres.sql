CREATE TABLE users (
    email    TEXT PRIMARY KEY,
    password TEXT,
    gender   TEXT,
    active   BOOLEAN NOT NULL DEFAULT TRUE,
    mom      TEXT REFERENCES users (email),
    created  TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE friendship (
    user_id   TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    friend_id TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    met       TEXT,
    created   TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, friend_id)
);
