-- corpus: SQL for the sqlite3 shell (sqlite3 -batch :memory: < queries.sql):
-- tables, indexes, recursive CTEs, joins, window functions, JSON, printf.
-- Deterministic output (no time, no random()).
.headers on
.mode list
CREATE TABLE n(i INTEGER PRIMARY KEY, sq INTEGER, name TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
INSERT INTO n SELECT x, x * x, printf('item-%05d', (x * 7919) % 20000) FROM c;
CREATE INDEX n_name ON n(name);
SELECT count(*), sum(sq) % 1000000007, min(name), max(name) FROM n;
SELECT i, name FROM n WHERE name BETWEEN 'item-00100' AND 'item-00105' ORDER BY name;
CREATE TABLE g AS SELECT i % 37 AS k, i AS v FROM n;
SELECT k, count(*), sum(v), avg(v) FROM g GROUP BY k HAVING k < 5 ORDER BY k;
SELECT k, v, rank() OVER (PARTITION BY k ORDER BY v DESC) AS r,
       sum(v) OVER (PARTITION BY k ORDER BY v ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s
  FROM g WHERE k = 3 ORDER BY v DESC LIMIT 5;
SELECT a.i, b.i, a.sq + b.sq FROM n a JOIN n b ON b.i = a.i * 2 WHERE a.i % 2500 = 0 ORDER BY a.i;
WITH RECURSIVE fib(a, b, k) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, k + 1 FROM fib WHERE k < 80)
SELECT k, a FROM fib WHERE k % 20 = 0;
SELECT json_object('n', count(*), 'names', json_group_array(name)) FROM (SELECT name FROM n ORDER BY i LIMIT 3);
SELECT printf('%.3f|%8d|%-6s|%x', 3.14159265, 42, 'ab', 255), upper('sqlite'), length(hex(zeroblob(16))), substr('corpus', 2, 3);
UPDATE n SET name = replace(name, 'item', 'it') WHERE i % 3 = 0;
DELETE FROM n WHERE i % 5 = 0;
SELECT count(*), count(DISTINCT substr(name, 1, 3)), total(i) FROM n;
PRAGMA integrity_check;
