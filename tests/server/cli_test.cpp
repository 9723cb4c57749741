// The operator command line, run as operators run it (the built ibgate binary).
// With $IBGATE_TEST_PG every command is given a fresh PostgreSQL database ($IBGATE_DATABASE).
#include "harness.h"
#include "server/operator.h"

#include <catch_amalgamated.hpp>
#include <nlohmann/json.hpp>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <boost/asio/ip/tcp.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

struct CliRun {
    int status = -1;
    std::string output;   // stdout and stderr
};

struct CliDir {
    fs::path dir;
    std::unique_ptr<PgTestDatabase> pg;   // null: SQLite in the data directory
    CliDir()
    {
        char name[64];
        std::snprintf(name, sizeof(name), "ibgate-cli-%08x", randombytes_random());
        dir = fs::temp_directory_path() / name;
        fs::create_directories(dir);
        if (std::string server = test_pg_server(); !server.empty())
            pg = std::make_unique<PgTestDatabase>(server);
    }
    ~CliDir()
    {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // Runs `ibgate --dir <dir>/data <args>` with `input` on standard input.
    CliRun run(const std::string& args, const std::string& input = "")
    {
        fs::path in = dir / "stdin.txt";
        std::ofstream(in, std::ios::binary) << input;
        std::string database = pg ? "IBGATE_DATABASE='" + pg->url + "' " : std::string("env -u IBGATE_DATABASE ");
        std::string cmd = database + std::string(IBGATE_BINARY) + " --dir '" + (dir / "data").string() + "' " + args + " < '"
                          + in.string() + "' 2>&1";
        CliRun r;
        FILE* pipe = popen(cmd.c_str(), "r");
        REQUIRE(pipe);
        char buf[4096];
        size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
            r.output.append(buf, n);
        int status = pclose(pipe);
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return r;
    }
};

static std::string read_all(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

static std::string line_value(const std::string& output, const std::string& label)
{
    size_t at = output.find(label);
    REQUIRE(at != std::string::npos);
    size_t start = output.find_first_not_of(' ', at + label.size());
    return output.substr(start, output.find('\n', start) - start);
}

TEST_CASE("cli: init, users, certificates and the audit log")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    CliRun init = cli.run("init --hash-cost test --institution-code 1399");
    INFO(init.output);
    REQUIRE(init.status == 0);

    CliRun again = cli.run("init --hash-cost test");
    CHECK(again.status != 0);
    CHECK(again.output.find("already initialised") != std::string::npos);

    const std::string password = "Sakura-2024-pass";
    CliRun add = cli.run("user add yamada01 --name '山田 太郎' --company '株式会社さくら商事' --role administrator --password-stdin",
                         password + "\n");
    INFO(add.output);
    REQUIRE(add.status == 0);
    CHECK(add.output.find(password) == std::string::npos);

    CHECK(cli.run("user add suzuki02 --name a --company b --password-stdin", "short\n").status != 0);
    CHECK(cli.run("user add suzuki02 --name a --company b --password 'Sakura-2024-pass'").status != 0);   // never from argv
    CHECK(cli.run("user add 'bad id' --name a --company b --password-stdin", password + "\n").status != 0);

    CliRun list = cli.run("user list");
    CHECK(list.output.find("yamada01") != std::string::npos);
    CHECK(list.output.find("administrator") != std::string::npos);
    CHECK(list.output.find("suzuki02") == std::string::npos);

    // The password is nowhere in the data directory, hashed or not.
    for (const auto& entry : fs::recursive_directory_iterator(cli.dir / "data"))
        if (entry.is_regular_file())
            CHECK(read_all(entry.path()).find(password) == std::string::npos);

    CliRun issue = cli.run("cert issue yamada01 --days 30");
    INFO(issue.output);
    REQUIRE(issue.status == 0);
    std::string p12_path = line_value(issue.output, "PKCS#12 (browser)");
    std::string p12_password = line_value(issue.output, "import password");
    std::string pem_path = line_value(issue.output, "PEM certificate");
    std::string serial = issue.output.substr(issue.output.find("certificate ") + 12, 32);

    // The PKCS#12 file opens with the printed password and holds the PEM certificate and its CA.
    {
        FILE* f = std::fopen(p12_path.c_str(), "rb");
        REQUIRE(f);
        PKCS12* p12 = d2i_PKCS12_fp(f, nullptr);
        std::fclose(f);
        REQUIRE(p12);
        EVP_PKEY* key = nullptr;
        X509* cert = nullptr;
        STACK_OF(X509)* ca = nullptr;
        CHECK(PKCS12_parse(p12, "wrong password", &key, &cert, &ca) == 0);
        REQUIRE(PKCS12_parse(p12, p12_password.c_str(), &key, &cert, &ca) == 1);
        CertPtr pem = pki_read_cert(pem_path);
        CHECK(pki_fingerprint(cert) == pki_fingerprint(pem.get()));
        CHECK(pki_common_name(cert) == "yamada011399");
        CHECK(sk_X509_num(ca) == 1);
        EVP_PKEY_free(key);
        X509_free(cert);
        sk_X509_pop_free(ca, X509_free);
        PKCS12_free(p12);
    }

    CliRun certs = cli.run("cert list --user yamada01");
    CHECK(certs.output.find(serial) != std::string::npos);

    CliRun revoke = cli.run("cert revoke " + serial + " --reason lost");
    INFO(revoke.output);
    CHECK(revoke.status == 0);
    CrlPtr crl = pki_read_crl((cli.dir / "data" / "pki" / "crl.pem").string());
    CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())) == 1);
    CHECK(cli.run("cert revoke 00DEADBEEF").status != 0);

    CliRun unlock_unknown = cli.run("user unlock nobody");
    CHECK(unlock_unknown.status == 1);
    CHECK(unlock_unknown.output == "ibgate: error: no user nobody\n");
    CHECK(cli.run("user unlock yamada01").status == 0);
    CHECK(cli.run("session end yamada01").output.find("no active session") != std::string::npos);

    CliRun audit = cli.run("audit --json");
    REQUIRE(audit.status == 0);
    std::vector<std::string> events;
    std::istringstream lines(audit.output);
    for (std::string line; std::getline(lines, line);) {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        REQUIRE(j.is_object());
        events.push_back(j["result"].get<std::string>());
    }
    std::vector<std::string> expected = {"init", "user_add", "cert_register", "cert_revoke", "user_unlock"};
    CHECK(events == expected);
}

TEST_CASE("cli: commands on a missing data directory fail with one line")
{
    CliDir cli;
    CliRun r = cli.run("user list");
    CHECK(r.status == 1);
    // SQLite: no file; PostgreSQL: a database without the schema. Either way: init.
    CHECK(r.output.find("run 'ibgate init'") != std::string::npos);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
}

TEST_CASE("cli: cert crl writes a fresh CRL, also when it is missing, keeping the revocations")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test").status == 0);
    REQUIRE(cli.run("user add yamada01 --name a --company b --password-stdin", "Sakura-2024-pass\n").status == 0);
    CliRun issue = cli.run("cert issue yamada01 --days 30");
    REQUIRE(issue.status == 0);
    std::string serial = issue.output.substr(issue.output.find("certificate ") + 12, 32);
    REQUIRE(cli.run("cert revoke " + serial).status == 0);

    const fs::path crl_path = cli.dir / "data" / "pki" / "crl.pem";
    fs::remove(crl_path);
    CliRun crl_run = cli.run("cert crl --days 7");
    INFO(crl_run.output);
    REQUIRE(crl_run.status == 0);
    CHECK(crl_run.output.find("next update") != std::string::npos);
    CrlPtr crl = pki_read_crl(crl_path.string());
    CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())) == 1);
    const int64_t valid_for = pki_time_unix(X509_CRL_get0_nextUpdate(crl.get()))
                              - pki_time_unix(X509_CRL_get0_lastUpdate(crl.get()));
    CHECK(valid_for == 7 * 24 * 3600);

    CHECK(cli.run("cert crl --days 0").status != 0);
}

TEST_CASE("cli: serve refuses OCSP options it cannot use, before listening")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test").status == 0);
    const std::string listen = " --app-listen 127.0.0.1:0 --cert-listen 127.0.0.1:0";
    CliRun https = cli.run("serve --ocsp-url https://127.0.0.1:9/" + listen);
    CHECK(https.status == 1);
    CHECK(https.output.find("--ocsp-url must be an http:// URL") != std::string::npos);
    CliRun timeout = cli.run("serve --ocsp-url http://127.0.0.1:9/ --ocsp-timeout 0" + listen);
    CHECK(timeout.status == 1);
    CHECK(timeout.output.find("--ocsp-timeout must be 1 to 60 seconds") != std::string::npos);
}

TEST_CASE("cli: a data directory from before the server CA is refused by serve until server-cert")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test").status == 0);
    DataPaths paths = data_paths((cli.dir / "data").string());
    // The old layout: the client CA signed the server certificate and was sent after it.
    CertPtr client_ca = pki_read_cert(paths.ca_cert);
    KeyPtr client_ca_key = pki_read_key(paths.ca_key);
    CertSpec spec;
    spec.kind = CertKind::Server;
    spec.common_name = "localhost";
    spec.not_before = std::time(nullptr) - 60;
    spec.not_after = std::time(nullptr) + 3600;
    spec.dns_names = {"localhost"};
    KeyPtr old_key = pki_new_key();
    CertPtr old_cert = pki_make_cert(spec, old_key.get(), client_ca.get(), client_ca_key.get());
    pki_write_key(paths.server_key, old_key.get());
    pki_write_text(paths.server_cert, pki_cert_pem(old_cert.get()) + pki_cert_pem(client_ca.get()), false);
    fs::remove(paths.server_ca_cert);
    fs::remove(paths.server_ca_key);

    std::ofstream(cli.dir / "index.html") << "<!doctype html>";
    CliRun serve = cli.run("serve --web-root '" + cli.dir.string() + "' --app-listen 127.0.0.1:0 --cert-listen 127.0.0.1:0");
    CHECK(serve.status == 1);
    CHECK(serve.output.find("run 'ibgate server-cert'") != std::string::npos);
    CHECK(std::count(serve.output.begin(), serve.output.end(), '\n') == 1);

    CliRun renew = cli.run("server-cert");
    INFO(renew.output);
    REQUIRE(renew.status == 0);
    CertPtr server_ca = pki_read_cert(paths.server_ca_cert);
    std::vector<CertPtr> chain = pki_read_certs(paths.server_cert);
    REQUIRE(chain.size() == 1);
    CHECK(X509_check_issued(server_ca.get(), chain[0].get()) == X509_V_OK);
    CHECK(pki_fingerprint(pki_read_cert(paths.ca_cert).get()) == pki_fingerprint(client_ca.get()));   // kept
    CHECK(cli.run("user list").status == 0);
}

TEST_CASE("cli: cert issue --json prints one object naming the files, the import password and the validity")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test --institution-code 1399").status == 0);
    REQUIRE(cli.run("user add yamada01 --name a --company b --password-stdin", "Sakura-2024-pass\n").status == 0);
    CliRun issue = cli.run("cert issue yamada01 --days 30 --json");
    INFO(issue.output);
    REQUIRE(issue.status == 0);
    REQUIRE(std::count(issue.output.begin(), issue.output.end(), '\n') == 1);   // one line, nothing else
    const nlohmann::json j = nlohmann::json::parse(issue.output);
    CHECK(j.at("user_id") == "yamada01");
    CHECK(j.at("serial").get<std::string>().size() == 32);
    for (const char* file : {"p12", "certificate", "key"})
        CHECK(fs::exists(j.at(file).get<std::string>()));
    CertPtr pem = pki_read_cert(j.at("certificate").get<std::string>());
    CHECK(pki_fingerprint(pem.get()) == j.at("fingerprint").get<std::string>());
    CHECK(pki_common_name(pem.get()) == "yamada011399");
    const int64_t lifetime = j.at("not_after").get<int64_t>() - j.at("not_before").get<int64_t>();
    CHECK(lifetime >= 30 * 86400);
    CHECK(lifetime <= 30 * 86400 + 600);

    FILE* f = std::fopen(j.at("p12").get<std::string>().c_str(), "rb");
    REQUIRE(f);
    PKCS12* p12 = d2i_PKCS12_fp(f, nullptr);
    std::fclose(f);
    REQUIRE(p12);
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    CHECK(PKCS12_parse(p12, j.at("p12_password").get<std::string>().c_str(), &key, &cert, &ca) == 1);
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);

    // The listing knows the certificate by the printed serial.
    CHECK(cli.run("cert list --user yamada01").output.find(j.at("serial").get<std::string>()) != std::string::npos);
}

TEST_CASE("cli: serve refuses proxy options it cannot use, before listening")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test").status == 0);
    const std::string listen = " --app-listen 127.0.0.1:0 --cert-listen 127.0.0.1:0";
    struct Row {
        const char* args;
        const char* message;
    };
    const Row rows[] = {
        {"--behind-proxy", "--behind-proxy needs at least one --trusted-proxy"},
        {"--trusted-proxy 10.0.0.0/8", "--trusted-proxy needs --behind-proxy"},
        {"--behind-proxy --trusted-proxy 10.0.0.1/8", "host bits set (did you mean 10.0.0.0/8?)"},
        {"--behind-proxy --trusted-proxy 10.0.0.0/8,proxy.example", "proxy.example: not an IP address"},
        {"--behind-proxy --trusted-proxy ::1 --client-cert-header 'X Cert'", "must be header names"},
        {"--drain-timeout -1", "--drain-timeout must be 0 to 3600 seconds"},
    };
    for (const Row& row : rows) {
        CliRun r = cli.run(std::string("serve ") + row.args + listen);
        INFO(row.args << "\n" << r.output);
        CHECK(r.status == 1);
        CHECK(r.output.find(row.message) != std::string::npos);
    }
}

// `ibgate serve` started as its own process, stopped with a signal.
struct ServeProcess {
    pid_t pid = -1;
    fs::path out;
    fs::path err;
    int exit_status = -1;

    ServeProcess(CliDir& cli, const std::vector<std::string>& args) : out(cli.dir / "serve.out"), err(cli.dir / "serve.err")
    {
        std::vector<std::string> argv = {IBGATE_BINARY, "--dir", (cli.dir / "data").string(), "serve"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<std::string> env;
        for (char** e = environ; *e; ++e)
            if (std::string(*e).rfind("IBGATE_DATABASE=", 0) != 0)
                env.emplace_back(*e);
        if (cli.pg)
            env.push_back("IBGATE_DATABASE=" + cli.pg->url);
        std::vector<char*> argv_c, env_c;
        for (std::string& a : argv)
            argv_c.push_back(a.data());
        argv_c.push_back(nullptr);
        for (std::string& e : env)
            env_c.push_back(e.data());
        env_c.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int rc = posix_spawn(&pid, argv_c[0], &actions, nullptr, argv_c.data(), env_c.data());
        posix_spawn_file_actions_destroy(&actions);
        REQUIRE(rc == 0);
    }
    ~ServeProcess()
    {
        if (pid > 0 && exit_status < 0) {   // the test failed midway: never leave it running
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    bool exited_within(int seconds)
    {
        return eventually([&] {
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) != pid)
                return false;
            exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return true;
        }, seconds);
    }
    std::string stdout_text() { return read_all(out); }
    std::string stderr_text() { return read_all(err); }
};

static uint16_t free_port()
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

static bool accepts_connections(uint16_t port)
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
}

TEST_CASE("cli: SIGTERM drains: the request in flight is answered, new connections are refused, exit 0")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test").status == 0);
    const std::string password = "Sakura-2024-pass";
    std::vector<ClientCert> certs;
    for (const char* user : {"yamada01", "suzuki02"}) {
        REQUIRE(cli.run(std::string("user add ") + user + " --name a --company b --password-stdin", password + "\n").status
                == 0);
        CliRun issue = cli.run(std::string("cert issue ") + user);
        REQUIRE(issue.status == 0);
        ClientCert c;
        c.cert = pki_read_cert(line_value(issue.output, "PEM certificate"));
        c.key = pki_read_key(line_value(issue.output, "PEM key"));
        certs.push_back(std::move(c));
    }
    std::ofstream(cli.dir / "index.html") << "<!doctype html>";
    const uint16_t app_port = free_port();
    uint16_t cert_port = free_port();
    while (cert_port == app_port)
        cert_port = free_port();
    const std::string server_ca = (cli.dir / "data" / "pki" / "server-ca.pem").string();

    // One hash worker and no queue: while one login is held, another is answered 503 at once.
    ServeProcess serve(cli, {"--web-root", cli.dir.string(), "--app-listen", "127.0.0.1:" + std::to_string(app_port),
                             "--cert-listen", "127.0.0.1:" + std::to_string(cert_port), "--hash-workers", "1",
                             "--hash-queue", "0", "--drain-timeout", "60", "--instance", "drain-test"});
    const bool started =
        eventually([&] { return serve.stdout_text().find("certificate origin") != std::string::npos; }, 30);
    INFO(serve.stdout_text() << serve.stderr_text());
    REQUIRE(started);

    std::vector<std::string> tickets;
    for (const ClientCert& c : certs) {
        Request identify;
        identify.method = "POST";
        identify.target = "/api/v1/identify";
        identify.body = "{}";
        identify.cert = &c;
        identify.headers = {{"Content-Type", "application/json"}};
        Reply r = send_to(server_ca, cert_port, identify);
        INFO(r.body);
        REQUIRE(r.status == 200);
        tickets.push_back(r.json["ticket"].get<std::string>());
    }

    // Both log in while the database is locked: one is held in flight, the other is refused.
    DatabaseLock other(cli.pg ? cli.pg->url : (cli.dir / "data" / "ibgate.db").string());
    std::vector<Reply> replies(2);
    std::atomic<int> answered{0};
    std::vector<std::thread> logins;
    for (size_t i = 0; i < 2; i++) {
        logins.emplace_back([&, i] {
            Request login;
            login.method = "POST";
            login.target = "/api/v1/login";
            login.body = nlohmann::json{{"ticket", tickets[i]}, {"password", password}}.dump();
            login.cert = &certs[i];
            login.headers = {{"Content-Type", "application/json"}};
            try {
                replies[i] = send_to(server_ca, cert_port, login);
            } catch (...) {
            }
            answered++;
        });
    }
    const bool one_refused = eventually([&] { return answered >= 1; }, 30);
    REQUIRE(kill(serve.pid, SIGTERM) == 0);
    const bool listeners_closed =
        eventually([&] { return !accepts_connections(cert_port) && !accepts_connections(app_port); }, 30);
    other.release();
    for (std::thread& t : logins)
        t.join();
    REQUIRE(one_refused);
    CHECK(listeners_closed);

    const size_t busy = replies[0].status == 503 && replies[0].header("retry-after") == "2" ? 0 : 1;
    const Reply& held = replies[1 - busy];
    CHECK(replies[busy].status == 503);
    INFO(held.body);
    CHECK(held.status == 200);
    CHECK(held.header("connection") == "close");

    REQUIRE(serve.exited_within(60));
    CHECK(serve.exit_status == 0);
    const std::string out = serve.stdout_text();
    CHECK(out.find("ibgate: stopping\n") != std::string::npos);
    CHECK(out.find("ibgate: stopped\n") != std::string::npos);
    const std::string err = serve.stderr_text();
    CHECK(err.find("\"event\":\"draining\"") != std::string::npos);
    CHECK(err.find("\"event\":\"drained\"") != std::string::npos);
    CHECK(err.find("\"connections_cut\":0") != std::string::npos);
    // Everything serve wrote on standard error is JSON lines of this instance.
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j["instance"] == "drain-test");
    }
}

TEST_CASE("cli: cert enroll issues, lists and cancels 取得用パスワード, also for a user named like a subcommand")
{
    REQUIRE(sodium_init() >= 0);
    CliDir cli;
    REQUIRE(cli.run("init --hash-cost test --institution-code 1399").status == 0);
    for (const char* id : {"tanaka01", "list"})
        REQUIRE(cli.run(std::string("user add ") + id + " --name N --company C --password-stdin", "Sakura-2024-pass\n").status == 0);

    CliRun issued = cli.run("cert enroll tanaka01 --valid-days 10 --json");
    INFO(issued.output);
    REQUIRE(issued.status == 0);
    const nlohmann::json code = nlohmann::json::parse(issued.output);
    CHECK(code.at("user_id") == "tanaka01");
    CHECK(code.at("code").get<std::string>().size() >= 12);

    // "list" as the bare word is the listing; the user of that name is reached with --user.
    CliRun for_list = cli.run("cert enroll --user list --json");
    INFO(for_list.output);
    REQUIRE(for_list.status == 0);
    CHECK(nlohmann::json::parse(for_list.output).at("user_id") == "list");

    CliRun listed = cli.run("cert enroll list");
    INFO(listed.output);
    REQUIRE(listed.status == 0);
    CHECK(listed.output.find("tanaka01") != std::string::npos);
    CHECK(listed.output.find("open") != std::string::npos);
    // Only the hash is kept: the code itself is never shown again.
    CHECK(listed.output.find(code.at("code").get<std::string>()) == std::string::npos);

    CHECK(cli.run("cert enroll cancel tanaka01").status == 0);
    CHECK(cli.run("cert enroll list").output.find("cancelled") != std::string::npos);
    CliRun bare = cli.run("cert enroll");
    CHECK(bare.status != 0);
    CHECK(bare.output.find("--user") != std::string::npos);
}
