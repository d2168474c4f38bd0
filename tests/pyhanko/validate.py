"""An independent verdict on a certificate path, for portal/tests/cross_check.rs.

Reads one JSON job on stdin:

    {"trust_roots": [PEM...], "intermediates": [PEM...], "leaf": PEM,
     "validation_time": unix seconds, "ocsps": [base64 DER], "crls": [base64 DER],
     "revocation": "hard-fail", "retroactive_revinfo": false}

and judges the leaf with pyhanko-certvalidator (PyPI; `cargo xtask setup` installs the pinned
version in a virtual environment): the path to one of the trust roots, every certificate's
validity at the validation time, and the revocation status of every certificate below the
root from the OCSP responses and CRLs given (nothing is fetched). It prints one JSON line:

    {"verdict": "valid" | "revoked" | "expired" | "not-yet-valid" | "no-path"
                | "revocation-unavailable" | "other", "detail": "..."}

The key usage is form-core's rule: digitalSignature or nonRepudiation.
"""

import asyncio
import base64
import json
import sys
from datetime import datetime, timezone

from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext, validate_usage
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)


def certificate(text: str) -> x509.Certificate:
    data = text.encode("ascii")
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


async def judge(job: dict) -> tuple[str, str]:
    moment = datetime.fromtimestamp(int(job["validation_time"]), tz=timezone.utc)
    context = ValidationContext(
        trust_roots=[certificate(c) for c in job["trust_roots"]],
        other_certs=[certificate(c) for c in job.get("intermediates", [])],
        moment=moment,
        allow_fetching=False,
        crls=[base64.b64decode(c) for c in job.get("crls", [])],
        ocsps=[base64.b64decode(o) for o in job.get("ocsps", [])],
        revocation_mode=job.get("revocation", "hard-fail"),
        retroactive_revinfo=bool(job.get("retroactive_revinfo", False)),
    )
    leaf = certificate(job["leaf"])
    validator = CertificateValidator(leaf, validation_context=context)
    # The most specific exceptions first: RevokedError, ExpiredError, NotYetValidError and
    # InsufficientRevinfoError (StaleRevinfoError included) are PathValidationErrors.
    try:
        path = await validator.async_validate_path()
    except RevokedError as e:
        return "revoked", str(e)
    except ExpiredError as e:
        return "expired", str(e)
    except NotYetValidError as e:
        return "not-yet-valid", str(e)
    except InsufficientRevinfoError as e:
        return "revocation-unavailable", f"{type(e).__name__}: {e}"
    except PathBuildingError as e:
        return "no-path", str(e)
    except (PathValidationError, InvalidCertificateError, ValidationError) as e:
        return "other", f"{type(e).__name__}: {e}"
    # form-core accepts either signing key usage; pyhanko's check wants all of a set.
    failures = []
    for usage in ({"digital_signature"}, {"non_repudiation"}):
        try:
            validate_usage(leaf, usage, None, False)
            return "valid", f"path of {len(path)} certificates"
        except InvalidCertificateError as e:
            failures.append(str(e))
    return "other", "key usage: " + "; ".join(failures)


def main() -> None:
    job = json.load(sys.stdin)
    try:
        verdict, detail = asyncio.run(judge(job))
    except Exception as e:  # noqa: BLE001 - reported, not hidden: the test prints it
        verdict, detail = "other", f"unexpected {type(e).__name__}: {e}"
    print(json.dumps({"verdict": verdict, "detail": detail}))


if __name__ == "__main__":
    main()
