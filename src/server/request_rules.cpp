#include "server/request_rules.h"

#include "core/protocol.h"

Admission admit_connection(const ConnectionCounts& counts, const ConnectionLimits& limits)
{
    if (!counts.address_exempt && limits.per_address > 0 && counts.address >= limits.per_address)
        return Admission::RefuseAddress;
    if (counts.origin < limits.per_origin)
        return Admission::Admit;
    return counts.idle_available ? Admission::AdmitAfterEvicting : Admission::RefuseOrigin;
}

RequestFault request_fault(unsigned http_version, size_t host_fields, size_t origin_fields)
{
    if (host_fields > 1)
        return RequestFault::DuplicateHost;
    if (host_fields == 0 && http_version >= 11)
        return RequestFault::MissingHost;
    if (origin_fields > 1)
        return RequestFault::DuplicateOrigin;
    return RequestFault::None;
}

ApiWork api_work_of(std::string_view method, std::string_view target)
{
    std::string_view path = target.substr(0, target.find('?'));
    if (method == "POST" && (path == api::kPathLogin || path == api::kPathEnroll))
        return ApiWork::PasswordCheck;
    if (path == api::kPathSession || path == api::kPathKeepalive || path == api::kPathLogout)
        return ApiWork::Session;
    return ApiWork::LoginStep;
}

HealthRoute health_route(std::string_view method, std::string_view target)
{
    std::string_view path = target.substr(0, target.find('?'));
    if (path != "/healthz" && path != "/readyz")
        return HealthRoute::None;
    if (method != "GET" && method != "HEAD")
        return HealthRoute::MethodNotAllowed;
    return path == "/healthz" ? HealthRoute::Live : HealthRoute::Ready;
}

bool work_queue_admits(ApiWork work, size_t queued_login_steps, int login_step_queue)
{
    if (work == ApiWork::Session)
        return true;
    return login_step_queue > 0 && queued_login_steps < static_cast<size_t>(login_step_queue);
}

bool hash_queue_admits(int pending, int hash_workers, int hash_queue)
{
    return pending < hash_workers + hash_queue;
}

int default_hash_workers(unsigned cores)
{
    return cores > 2 ? static_cast<int>(cores) - 1 : 1;
}
