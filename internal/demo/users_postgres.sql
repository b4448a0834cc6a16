CREATE TABLE users (
    email    TEXT PRIMARY KEY,
    password TEXT,
    gender   TEXT,
    active   BOOLEAN NOT NULL DEFAULT TRUE,
    mom      TEXT REFERENCES users (email),
    created  TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE friendship (
    user_email   TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    friend_email TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    met          TEXT,
    created      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_email, friend_email)
);
