/* sign.h - signing records with the user's ssh key, and checking signatures. */
#ifndef SLIPWAY_SIGN_H
#define SLIPWAY_SIGN_H

#include <stddef.h>

#include "git/repo.h"
#include "lib/buf.h"

/*
 * Signatures are those of `ssh-keygen -Y sign` (the SSHSIG format git uses
 * for gpg.format = ssh), made in the namespace SIGN_NAMESPACE, so that a
 * signature made for git (namespace "git") never counts as one on a record.
 * Every ssh-keygen run has a timeout and inherits our environment
 * (SSH_AUTH_SOCK); temporary files go to TMPDIR (or /tmp) and are removed
 * on every path.
 */
#define SIGN_NAMESPACE "slipway"

/* Whether the user's git config asks for ssh signing: gpg.format = ssh and
 * user.signingkey set. Returns 1 yes, 0 no, <0 error. Reads config through
 * libgit2 (a snapshot of r->git's configuration). */
int sign_configured(struct repo *r);

/*
 * Signs data with user.signingkey via `ssh-keygen -Y sign -n slipway -f KEY`
 * (program from gpg.ssh.program, default ssh-keygen), data on stdin, and
 * appends the armored signature ("-----BEGIN SSH SIGNATURE-----...") to out.
 * user.signingkey may be: a path to a private or public key file ("~/"
 * expanded with HOME), or a literal public key ("key::ssh-ed25519 AAAA..."
 * or starting with "ssh-"), which is written to a temporary file and used
 * with -U (key in ssh-agent), as git does. Errors: -E_CONFIG when not
 * configured or key file missing (message names the key), -E_GENERIC when
 * ssh-keygen fails (message includes its stderr's first line),
 * -E_NOTFOUND when the program does not exist, -E_TIMEOUT, -E_IO.
 */
int sign_data(struct repo *r, const char *data, size_t len, struct buf *out);

enum sign_verdict { SIGN_NONE, SIGN_GOOD, SIGN_UNKNOWN_KEY, SIGN_BAD };

/*
 * Checks sig (armored; NULL or "" => SIGN_NONE) over data against
 * allowed_signers, the CONTENT of an allowed_signers file as in
 * ssh-keygen(1) ALLOWED SIGNERS (may be empty). The signer's principal is
 * found with `ssh-keygen -Y find-principals` (none => SIGN_UNKNOWN_KEY, or
 * SIGN_BAD when the signature does not even verify against its own key),
 * then checked with `ssh-keygen -Y verify` (fails => SIGN_BAD; a malformed
 * sig is SIGN_BAD too). The program is always ssh-keygen (no git config).
 *
 * principal and why may be NULL; otherwise both are reset, then on
 * SIGN_GOOD principal gets the principal (e.g. an email), and for any
 * other verdict why gets one short human reason: "unsigned", "signed by a
 * key not in .slipway/allowed_signers (SHA256:...)", "signature does not
 * match the record", ... Returns 0 with *verdict set, or <0 only for real
 * errors (ssh-keygen missing or timed out, temporary file failure).
 */
int sign_verify(const char *allowed_signers, const char *data, size_t len, const char *sig,
    enum sign_verdict *verdict, struct buf *principal, struct buf *why);

#endif
