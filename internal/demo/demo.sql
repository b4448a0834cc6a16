CREATE TABLE person (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    birth_date DATE,
    age        INTEGER
);

CREATE TABLE computer (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    vendor        TEXT,
    owner_id      INTEGER REFERENCES person (id),
    purchase_time DATETIME
);

INSERT INTO person (id, name, birth_date, age) VALUES
    (1, 'Jeffrey', '1991-04-02', 35),
    (2, 'Hilda', '1984-11-30', 41),
    (3, 'Tomasz', '2000-01-15', 26);

INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES
    (1, 'lixie', 'Dell', 1, '2024-03-01 09:30:00'),
    (2, 'foo', 'Apple', 1, '2025-06-12 14:00:00'),
    (3, 'turing', 'Lenovo', 2, '2023-10-05 08:15:00');
