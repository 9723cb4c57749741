#include "error_text.h"

StringId error_text(Screen screen, FailureKind failure, api::ErrorCode code)
{
    switch (screen) {
    case Screen::ErrorNoCertificate: return StringId::error_no_certificate;
    case Screen::ErrorCertificateExpired: return StringId::error_cert_expired;
    case Screen::ErrorCertificateNotYetValid: return StringId::error_cert_not_yet_valid;
    case Screen::ErrorCertificateRevoked: return StringId::error_cert_revoked;
    case Screen::ErrorUnknownIssuer: return StringId::error_cert_unknown_issuer;
    case Screen::ErrorWrongUsage: return StringId::error_cert_wrong_usage;
    case Screen::ErrorWrongInstitution: return StringId::error_cert_wrong_institution;
    case Screen::ErrorBadSubject: return StringId::error_cert_bad_subject;
    case Screen::ErrorNotRegistered: return StringId::error_cert_not_registered;
    case Screen::ErrorCertificateMismatch: return StringId::error_cert_mismatch;
    case Screen::ErrorLocked: return StringId::error_locked;
    case Screen::ErrorLoginExpired: return StringId::error_login_expired;
    case Screen::ErrorMalformedReply: return StringId::error_malformed_reply;
    case Screen::ErrorConfiguration:
        return failure == FailureKind::Misconfigured ? StringId::error_misconfigured : StringId::error_config;
    case Screen::ErrorEnrollmentLocked: return StringId::error_enrollment_locked;
    case Screen::ErrorEnrollmentCodeExpired: return StringId::error_enrollment_code_expired;
    case Screen::ErrorEnrollmentCodeUsed: return StringId::error_enrollment_code_used;
    case Screen::ErrorCertificateRequest:
        switch (code) {
        case api::ErrorCode::CsrWeakKey: return StringId::error_csr_weak_key;
        case api::ErrorCode::CsrWrongSubject: return StringId::error_csr_wrong_subject;
        case api::ErrorCode::CsrInvalid: return StringId::error_csr_invalid;
        default: break;
        }
        return StringId::error_certificate_request;   // the browser's key pair or request failed
    case Screen::ErrorUnavailable:
        switch (failure) {
        case FailureKind::Timeout: return StringId::error_timeout;
        case FailureKind::ServerBusy: return StringId::error_server_busy;
        case FailureKind::RevocationUnavailable: return StringId::error_revocation_unavailable;
        case FailureKind::None:
        case FailureKind::Network:
        case FailureKind::Misconfigured: break;
        }
        return StringId::error_unavailable;
    default: return StringId::error_malformed_reply;
    }
}
