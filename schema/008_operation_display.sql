-- 008_operation_display.sql - how the phone shows an operation (api.md
-- §1.3, §3.6): one row per operation type and language. attributes is a
-- JSON array of {"id","type","text","params":{field: parameter name}};
-- result_texts {"success","failure","reject"}; ui optional JSON. title,
-- message and texts may use ${parameter} placeholders.
CREATE TABLE IF NOT EXISTS operation_display (
	operation_type		VARCHAR(64) NOT NULL,
	language		VARCHAR(8) NOT NULL,
	title			VARCHAR(255) NOT NULL,
	message			VARCHAR(1024) NOT NULL,
	attributes		TEXT NOT NULL,
	result_texts		TEXT NOT NULL,
	ui			TEXT NULL,
	PRIMARY KEY (operation_type, language)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO operation_display (operation_type, language, title,
    message, attributes, result_texts, ui) VALUES
    ('login', 'en', 'Login Approval',
     'Confirm the login request.', '[]',
     '{"success":"You have been signed in.","failure":"Login failed.","reject":"The login request was rejected."}',
     NULL),
    ('login', 'cs', 'Schválení přihlášení',
     'Potvrďte požadavek na přihlášení.', '[]',
     '{"success":"Byli jste přihlášeni.","failure":"Přihlášení se nezdařilo.","reject":"Požadavek na přihlášení byl zamítnut."}',
     NULL),
    ('payment', 'en', 'Payment Approval',
     'Confirm the payment of ${amount} ${currency} to ${account}.',
     '[{"id":"operation.amount","type":"AMOUNT","text":"Amount","params":{"amount":"amount","currency":"currency"}},{"id":"operation.account","type":"KEY_VALUE","text":"To Account","params":{"value":"account"}}]',
     '{"success":"The payment was approved.","failure":"The payment approval failed.","reject":"The payment was rejected."}',
     NULL),
    ('payment', 'cs', 'Schválení platby',
     'Potvrďte platbu ${amount} ${currency} na účet ${account}.',
     '[{"id":"operation.amount","type":"AMOUNT","text":"Částka","params":{"amount":"amount","currency":"currency"}},{"id":"operation.account","type":"KEY_VALUE","text":"Na účet","params":{"value":"account"}}]',
     '{"success":"Platba byla schválena.","failure":"Schválení platby se nezdařilo.","reject":"Platba byla zamítnuta."}',
     NULL);
