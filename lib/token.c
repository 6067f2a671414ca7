/* API bearer tokens: digests, their stored form, random tokens; see token.h. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "errors.h"
#include "hex.h"
#include "token.h"

int token_digest(const char *token, size_t len, uint8_t out[TOKEN_DIGEST_LEN])
{
	unsigned n = 0;

	if (!EVP_Digest(token, len, out, &n, EVP_sha256(), NULL) || n != TOKEN_DIGEST_LEN)
		return CH_ENOMEM;
	return 0;
}

int token_hash(const char *token, size_t len, char out[TOKEN_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[TOKEN_DIGEST_LEN];
	int err = token_digest(token, len, d);

	if (err)
		return err;
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < TOKEN_DIGEST_LEN; i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[8 + 2 * i] = hex[d[i] & 15];
	}
	out[TOKEN_HASH_LEN] = '\0';
	return 0;
}

int token_hash_parse(const char *s, uint8_t out[TOKEN_DIGEST_LEN])
{
	uint8_t d[TOKEN_DIGEST_LEN];

	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != TOKEN_HASH_LEN)
		return CH_EINVAL;
	for (size_t i = 0; i < TOKEN_DIGEST_LEN; i++) {
		int hi = hex_digit_lower(s[7 + 2 * i]), lo = hex_digit_lower(s[8 + 2 * i]);

		if (hi < 0 || lo < 0)
			return CH_EINVAL;
		d[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, d, sizeof(d));
	return 0;
}

bool token_is_hash(const char *s)
{
	uint8_t d[TOKEN_DIGEST_LEN];

	return token_hash_parse(s, d) == 0;
}

bool token_digest_equal(const uint8_t a[TOKEN_DIGEST_LEN], const uint8_t b[TOKEN_DIGEST_LEN])
{
	return CRYPTO_memcmp(a, b, TOKEN_DIGEST_LEN) == 0;
}

int token_new(char *out, size_t cap)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t r[33];
	size_t o = 0;

	if (cap < 45 || RAND_bytes(r, 33) != 1)
		return CH_EIO;
	/* 33 bytes: 44 characters, no padding; the last byte only pads the groups */
	for (size_t i = 0; i < 33; i += 3) {
		uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	return 0;
}
