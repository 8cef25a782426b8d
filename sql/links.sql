-- links: appending vero_conv=<token> to any URL
CREATE EXTENSION IF NOT EXISTS conversion_tracking;

SELECT url, conversion_tracking.tracked_link(url,
		   'a1b2c3d4-0000-4000-8000-00000000beef') AS tracked
  FROM (VALUES
		('https://shop.example/sale'),
		('https://shop.example/sale?'),
		('https://shop.example/sale?utm_source=email'),
		('https://shop.example/sale?utm_source=email&'),
		('https://shop.example/sale?a=1&b=2#reviews'),
		('https://shop.example/sale#reviews?not=query'),
		('https://shop.example/sale?a=1#f#g'),
		('https://shop.example/sale?a=1&&b=2&'),
		('https://shop.example/sale?VERO_CONV=other'),
		('https://shop.example/sale?vero_conv=old&a=1'),
		('https://shop.example/sale?a=1&vero_conv&vero_conversion=keep'),
		('https://shop.example/soldes d''été?q=robe rouge#haut de page'),
		('https://shop.example/100%25-cotton?q=50%'),
		('https://shop.example/<b>"quoted"</b>|{x}^`\'),
		('/relative/path'),
		('mailto:help@shop.example?subject=Hi'),
		('https://user:pw@shop.example:8443/a;b?x=[1]&y=(2)*!~$,''@/'))
	   AS t(url);

-- The message's own token, looked up by account and message.
INSERT INTO conversion_tracking.accounts (account_id, name) VALUES (40, 'Links');
INSERT INTO conversion_tracking.campaigns (account_id, campaign_id, name)
VALUES (40, 1, 'Sale');
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, conversion_token)
VALUES (40, 1, 1, 'u1', '0f0e0d0c-0b0a-4900-8800-070605040302');
SELECT conversion_tracking.tracked_link('https://shop.example/?a=1', 40, 1);

-- Errors: an empty URL, an unknown message.
SELECT conversion_tracking.tracked_link('', gen_random_uuid());
SELECT conversion_tracking.tracked_link('https://shop.example/', 40, 2);

-- NULL in, NULL out.
SELECT conversion_tracking.tracked_link(NULL, gen_random_uuid()) IS NULL
	   AS null_url;
