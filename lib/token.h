/*
 * API bearer tokens as the config stores them: "sha256:" and 64 lower-case
 * hex digits of SHA-256 over the token's bytes. Tokens are long random
 * strings (chorus-admin token-hash makes one), so an unsalted fast hash
 * is enough: nobody can guess a 128-bit secret from its digest.
 */
#ifndef CHORUS_TOKEN_H
#define CHORUS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_DIGEST_LEN 32
#define TOKEN_HASH_LEN   (7 + 2 * TOKEN_DIGEST_LEN) /* "sha256:" + hex, without NUL */

/* SHA-256 of len bytes of token. Returns 0 or CH_ENOMEM. */
int token_digest(const char *token, size_t len, uint8_t out[TOKEN_DIGEST_LEN]);

/* Writes the stored form of token into out (TOKEN_HASH_LEN + 1 bytes). 0 or CH_ENOMEM. */
int token_hash(const char *token, size_t len, char out[TOKEN_HASH_LEN + 1]);

/* True when s is a stored form ("sha256:" + 64 hex digits). */
bool token_is_hash(const char *s);

/* Decodes a stored form into its digest. 0, or CH_EINVAL when s is not one. */
int token_hash_parse(const char *s, uint8_t out[TOKEN_DIGEST_LEN]);

/* Compares two digests in constant time. */
bool token_digest_equal(const uint8_t a[TOKEN_DIGEST_LEN], const uint8_t b[TOKEN_DIGEST_LEN]);

/* Writes a new random token (base64url of 33 random bytes, 44 characters) into out
 * (at least 45 bytes). 0 or CH_EIO when no randomness is available. */
int token_new(char *out, size_t cap);

#endif
