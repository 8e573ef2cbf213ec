#include "tools/lac-serve/server.h"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <iostream>

#include "tools/lac-serve/chat_page.h"
#include "tools/lac-serve/metrics.h"
#include "tools/lac-serve/openai.h"

namespace lac::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// One API request's events, filled on the engine thread, drained by its
// connection's thread.
struct Channel {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<serve::Event> events;
};

int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Server::Impl {
  // Set once by attach(), when the model has loaded (ready). Until then
  // /health answers 503 and so does every other route.
  generate::LoadedModel* model_ptr = nullptr;
  serve::Scheduler* sched_ptr = nullptr;
  std::atomic<bool> ready{false};
  uint32_t ctx = 0;  // tokens per sequence (set with the model)
  ServerOptions opts;
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  // Open connections: descriptor -> the deadline of the read or write in
  // progress (none between them). Asio's blocking calls wait in poll()
  // without a timeout, so a watchdog shuts down a socket whose operation
  // passes its deadline, which wakes the call with an error.
  std::mutex sockets_mu;
  std::map<int, std::optional<Clock::time_point>> sockets;

  // Arms fd's deadline for one read or write; disarms when it ends.
  struct Deadline {
    Impl& s;
    int fd;
    Deadline(Impl& impl, int d) : s(impl), fd(d) {
      std::lock_guard<std::mutex> lock(s.sockets_mu);
      s.sockets[fd] = Clock::now() + std::chrono::seconds(s.opts.io_timeout_s);
    }
    ~Deadline() {
      std::lock_guard<std::mutex> lock(s.sockets_mu);
      if (auto it = s.sockets.find(fd); it != s.sockets.end()) it->second.reset();
    }
  };

  // Until stop() and every connection has ended.
  void watchdog() {
    while (!stopping.load() || connections.load() > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const auto now = Clock::now();
      std::lock_guard<std::mutex> lock(sockets_mu);
      for (auto& [fd, deadline] : sockets)
        if (deadline && *deadline < now) {
          ::shutdown(fd, SHUT_RDWR);  // the stalled read or write fails at once
          deadline.reset();
        }
    }
  }
  std::atomic<uint64_t> next_id{1};
  Metrics metrics;
  // The engine thread sleeps here when the scheduler is idle.
  std::mutex wake_mu;
  std::condition_variable wake_cv;

  explicit Impl(ServerOptions o) : opts(std::move(o)) {}
  generate::LoadedModel& model() { return *model_ptr; }
  serve::Scheduler& sched() { return *sched_ptr; }

  void wake() {
    std::lock_guard<std::mutex> lock(wake_mu);
    wake_cv.notify_one();
  }

  void engineLoop() {
    while (!ready.load() && !stopping.load()) {
      std::unique_lock<std::mutex> lock(wake_mu);
      wake_cv.wait_for(lock, std::chrono::milliseconds(20));
    }
    if (!ready.load()) return;
    while (!stopping.load() || sched().busy()) {
      if (!sched().busy()) {
        std::unique_lock<std::mutex> lock(wake_mu);
        wake_cv.wait_for(lock, std::chrono::milliseconds(20));
        continue;
      }
      VoidResult r = sched().step();
      if (!r.ok()) log("error", "engine step failed: " + r.message());
    }
  }

  void log(const char* level, const std::string& msg) {
    if (opts.json_log)
      std::cerr << dump(Json{{"level", level}, {"time", unixNow()}, {"msg", msg}}) << "\n";
    else
      std::cerr << "lac-serve: " << level << ": " << msg << "\n";
  }

  // ---- responses ----------------------------------------------------------

  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  Response json(const Request& req, http::status status, const Json& body) {
    Response res{status, req.version()};
    res.set(http::field::server, "lac-serve");
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = dump(body);
    res.prepare_payload();
    return res;
  }

  Response error(const Request& req, const ApiError& e) {
    Response res = json(req, http::status(e.status), e.body());
    if (e.status == 503) res.set(http::field::retry_after, "1");
    return res;
  }

  static ApiError apiError(int status, std::string message, std::string type = "invalid_request_error") {
    ApiError e;
    e.status = status;
    e.message = std::move(message);
    e.type = std::move(type);
    return e;
  }

  // ---- routes -------------------------------------------------------------

  bool authorized(const Request& req) {
    if (opts.api_key.empty()) return true;
    auto it = req.find(http::field::authorization);
    return it != req.end() && std::string(it->value()) == "Bearer " + opts.api_key;
  }

  // Submits every choice of `r`; on Busy cancels those already submitted.
  std::optional<ApiError> submitAll(const ApiRequest& r, const std::shared_ptr<Channel>& ch,
                                    std::vector<uint64_t>& ids) {
    for (size_t p = 0; p < r.prompts.size(); ++p)
      for (uint32_t k = 0; k < r.n; ++k) {
        serve::Request req;
        req.prompt = r.prompts[p];
        req.options = r.options;
        req.options.stream = k;  // choice k of a seeded request draws its own stream
        auto id = sched().submit(std::move(req), [ch](const serve::Event& e) {
          std::lock_guard<std::mutex> lock(ch->mu);
          ch->events.push_back(e);
          ch->cv.notify_one();
        });
        if (!id.ok()) {
          for (uint64_t done : ids) sched().cancel(done);
          wake();
          if (id.error() == Error::Busy) return apiError(503, id.message(), "server_busy");
          return apiError(400, id.message());
        }
        ids.push_back(*id);
      }
    wake();
    return std::nullopt;
  }

  // Waits for the next event (false on timeout).
  static bool nextEvent(Channel& ch, serve::Event& e, std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(ch.mu);
    if (!ch.cv.wait_for(lock, wait, [&] { return !ch.events.empty(); })) return false;
    e = std::move(ch.events.front());
    ch.events.pop_front();
    return true;
  }

  void account(const serve::Event& e, Usage& usage) {
    usage.prompt_tokens += e.stats.prompt_tokens;
    usage.completion_tokens += e.stats.generated_tokens;
    usage.cached_tokens += e.stats.cached_tokens;
    metrics.finished(e.stats);
  }

  // POST /v1/chat/completions and /v1/completions. Returns false when the
  // connection must close (a streamed answer, or a client that went away).
  bool completion(tcp::socket& sock, const Request& req, Endpoint endpoint, std::optional<Response>& out) {
    ApiRequest r;
    if (auto e = parseRequest(endpoint, req.body(), model(), ctx, r)) {
      out = error(req, *e);
      return true;
    }
    auto ch = std::make_shared<Channel>();
    std::vector<uint64_t> ids;
    if (auto e = submitAll(r, ch, ids)) {
      out = error(req, *e);
      return true;
    }
    const std::string id = (endpoint == Endpoint::Chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_id++);
    const int64_t created = unixNow();
    auto index = [&](uint64_t rid) {
      return uint32_t(std::find(ids.begin(), ids.end(), rid) - ids.begin());
    };
    Usage usage;
    if (!r.stream) {
      std::vector<ChoiceResult> choices(ids.size());
      size_t finished = 0;
      while (finished < ids.size()) {
        serve::Event e;
        if (!nextEvent(*ch, e, std::chrono::milliseconds(1000))) continue;
        ChoiceResult& c = choices[index(e.id)];
        c.text += e.text;
        if (e.kind == serve::Event::Kind::Token) {
          c.tokens.push_back(e.token);
          c.logprobs.push_back(e.logprob);
          c.top.push_back(e.top);
        } else {
          c.finish = e.finish;
          c.stats = e.stats;
          account(e, usage);
          ++finished;
        }
      }
      out = json(req, http::status::ok, responseJson(r, id, created, model().tokenizer, choices, usage));
      return true;
    }

    // Streaming: server-sent events over a chunked body.
    http::response<http::empty_body> head{http::status::ok, req.version()};
    head.set(http::field::server, "lac-serve");
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-cache");
    head.keep_alive(false);
    head.chunked(true);
    http::response_serializer<http::empty_body> sr{head};
    beast::error_code ec;
    {
      Deadline d(*this, sock.native_handle());
      http::write_header(sock, sr, ec);
    }
    auto send = [&](const std::string& data) {
      if (ec) return false;
      Deadline d(*this, sock.native_handle());
      net::write(sock, http::make_chunk(net::buffer(data)), ec);
      return !ec;
    };
    auto sendJson = [&](const Json& j) { return send("data: " + dump(j) + "\n\n"); };
    std::vector<bool> first(ids.size(), true);
    size_t finished = 0;
    bool alive = !ec;
    while (alive && finished < ids.size()) {
      serve::Event e;
      if (!nextEvent(*ch, e, std::chrono::milliseconds(5000))) {
        alive = send(": ping\n\n");  // a long prefill: keep the client (and proxies) waiting
        continue;
      }
      const uint32_t i = index(e.id);
      if (e.kind == serve::Event::Kind::Token) {
        alive = sendJson(chunkJson(r, id, created, i, &e.text, &e, model().tokenizer, std::nullopt, first[i]));
        first[i] = false;
        continue;
      }
      ++finished;
      account(e, usage);
      if (!e.text.empty() || first[i])
        alive = sendJson(chunkJson(r, id, created, i, &e.text, nullptr, model().tokenizer, std::nullopt, first[i]));
      if (alive) alive = sendJson(chunkJson(r, id, created, i, nullptr, nullptr, model().tokenizer, e.finish, false));
    }
    if (!alive) {
      // The client went away: its requests end at the next step.
      for (uint64_t rid : ids) sched().cancel(rid);
      wake();
      metrics.cancelled();
      return false;
    }
    metrics.answered(200);
    if (r.include_usage) sendJson(usageChunkJson(r, id, created, usage));
    send("data: [DONE]\n\n");
    if (!ec) {
      Deadline d(*this, sock.native_handle());
      net::write(sock, http::make_chunk_last(), ec);
    }
    return false;
  }

  Response tokenize(const Request& req) {
    Json j = Json::parse(req.body(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("content") || !j["content"].is_string())
      return error(req, apiError(400, "expected {\"content\": \"text\"}"));
    bool special = j.value("add_special", false);
    auto ids = model().tokenizer.encode(j["content"].get<std::string>(), special && model().tokenizer.addBos(), false,
                                      SpecialMode::Plain);
    if (!ids.ok()) return error(req, apiError(400, ids.message()));
    return json(req, http::status::ok, Json{{"tokens", *ids}});
  }

  Response detokenize(const Request& req) {
    Json j = Json::parse(req.body(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("tokens") || !j["tokens"].is_array())
      return error(req, apiError(400, "expected {\"tokens\": [ids]}"));
    std::vector<uint32_t> ids;
    for (const Json& t : j["tokens"]) {
      if (!t.is_number_integer() || t.get<int64_t>() < 0) return error(req, apiError(400, "token ids must be integers"));
      ids.push_back(uint32_t(t.get<int64_t>()));
    }
    auto text = model().tokenizer.decode(ids);
    if (!text.ok()) return error(req, apiError(400, text.message()));
    return json(req, http::status::ok, Json{{"content", *text}});
  }

  // One request; out is the response to write (unset: already answered).
  bool route(tcp::socket& sock, const Request& req, std::optional<Response>& out) {
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    const bool post = req.method() == http::verb::post, get = req.method() == http::verb::get;
    if (!ready.load()) {  // still loading the model
      if (get && path == "/health") {
        out = json(req, http::status::service_unavailable, Json{{"status", "loading"}});
      } else {
        out = error(req, apiError(503, "the model is still loading; try again shortly", "server_busy"));
      }
      out->set(http::field::retry_after, "1");
      return true;
    }
    if (get && (path == "/" || path == "/index.html")) {
      Response res{http::status::ok, req.version()};
      res.set(http::field::server, "lac-serve");
      res.set(http::field::content_type, "text/html; charset=utf-8");
      res.keep_alive(req.keep_alive());
      res.body() = kChatPage;
      res.prepare_payload();
      out = std::move(res);
      return true;
    }
    if (get && path == "/health") {
      out = json(req, http::status::ok, Json{{"status", "ok"}});
      return true;
    }
    if (get && path == "/metrics") {
      Response res{http::status::ok, req.version()};
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      res.keep_alive(req.keep_alive());
      res.body() = metrics.text(sched().running(), sched().queued());
      res.prepare_payload();
      out = std::move(res);
      return true;
    }
    const bool api = path.rfind("/v1/", 0) == 0 || path == "/tokenize" || path == "/detokenize";
    if (api && !authorized(req)) {
      out = error(req, apiError(401, "a valid API key is required (Authorization: Bearer KEY)",
                                "authentication_error"));
      return true;
    }
    if (get && path == "/v1/models") {
      out = json(req, http::status::ok,
                 Json{{"object", "list"},
                      {"data", Json::array({{{"id", model().name},
                                             {"object", "model"},
                                             {"created", unixNow()},
                                             {"owned_by", "lac"},
                                             {"context_length", ctx}}})}});
      return true;
    }
    if (post && path == "/v1/chat/completions") return completion(sock, req, Endpoint::Chat, out);
    if (post && path == "/v1/completions") return completion(sock, req, Endpoint::Completion, out);
    if (post && path == "/tokenize") {
      out = tokenize(req);
      return true;
    }
    if (post && path == "/detokenize") {
      out = detokenize(req);
      return true;
    }
    out = error(req, apiError(404, "no route for " + std::string(req.method_string()) + " " + path, "not_found"));
    return true;
  }

  void connection(tcp::socket sock) {
    {
      std::lock_guard<std::mutex> lock(sockets_mu);
      sockets[sock.native_handle()] = std::nullopt;
    }
    serve(sock);
    {
      std::lock_guard<std::mutex> lock(sockets_mu);
      sockets.erase(sock.native_handle());
    }
    beast::error_code ignored;
    sock.shutdown(tcp::socket::shutdown_both, ignored);
  }

  // Answers a request that could not be read with `e`, then the connection closes.
  void refuse(tcp::socket& sock, int fd, const ApiError& e) {
    Request req;
    req.version(11);
    Response res = error(req, e);
    res.keep_alive(false);
    metrics.answered(res.result_int());
    beast::error_code ec;
    Deadline d(*this, fd);
    http::write(sock, res, ec);
  }

  void serve(tcp::socket& sock) {
    // Blocking I/O, each read and write under a Deadline: a stalled client
    // cannot hold a thread (or, through a stream, a sequence) for long.
    const int fd = sock.native_handle();
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(opts.body_limit);
      beast::error_code ec;
      {
        Deadline d(*this, fd);
        http::read(sock, buf, parser, ec);
      }
      if (ec == http::error::body_limit) {
        refuse(sock, fd, apiError(413, "the request body is larger than " + std::to_string(opts.body_limit) +
                                            " bytes"));
        break;
      }
      if (ec) {
        if (ec != http::error::end_of_stream && ec != net::error::eof && ec != net::error::connection_reset &&
            ec != net::error::would_block && ec != net::error::try_again && ec != net::error::timed_out) {
          refuse(sock, fd, apiError(400, "malformed HTTP request: " + ec.message()));
        }
        break;
      }
      const Request& req = parser.get();
      std::optional<Response> out;
      const bool keep = route(sock, req, out);
      if (out) {
        const bool ka = out->keep_alive();
        metrics.answered(out->result_int());
        {
          Deadline d(*this, fd);
          http::write(sock, *out, ec);
        }
        if (ec || !ka) break;
      }
      if (!keep || stopping.load()) break;
    }
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

void Server::attach(generate::LoadedModel& model, serve::Scheduler& scheduler, uint32_t ctx) {
  Impl& s = *impl_;
  s.model_ptr = &model;
  s.sched_ptr = &scheduler;
  s.ctx = ctx;
  s.ready = true;  // publishes the pointers (seq_cst)
  s.wake();
}

Server::~Server() = default;

VoidResult Server::listen() {
  Impl& s = *impl_;
  beast::error_code ec;
  const auto addr = net::ip::make_address(s.opts.host, ec);
  LAC_CHECK_OR_RETURN(!ec, Error::InvalidArgument, "--host %s is not an IP address (%s)", s.opts.host.c_str(),
                      ec.message().c_str());
  const tcp::endpoint ep{addr, s.opts.port};
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  LAC_CHECK_OR_RETURN(!ec, Error::IoError, "cannot listen on %s:%u: %s", s.opts.host.c_str(), unsigned(s.opts.port),
                      ec.message().c_str());
  port_ = s.acceptor.local_endpoint().port();
  return {};
}

void Server::run() {
  Impl& s = *impl_;
  std::thread engine([&] { s.engineLoop(); });
  std::thread watchdog([&] { s.watchdog(); });
  while (!s.stopping.load()) {
    beast::error_code ec;
    tcp::socket sock{s.io};
    s.acceptor.accept(sock, ec);
    if (ec) {
      if (s.stopping.load()) break;
      continue;
    }
    if (s.connections.load() >= s.opts.max_connections) {
      beast::error_code ignored;
      sock.close(ignored);  // over the connection limit: refuse at once
      continue;
    }
    ++s.connections;
    std::thread([&s, sock = std::move(sock)]() mutable {
      s.connection(std::move(sock));
      --s.connections;
    }).detach();
  }
  // Connections in flight finish (their requests run to the end).
  while (s.connections.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  s.wake();
  engine.join();
  watchdog.join();
}

void Server::stop() {
  Impl& s = *impl_;
  s.stopping = true;
  beast::error_code ignored;
  s.acceptor.cancel(ignored);
  ::shutdown(s.acceptor.native_handle(), SHUT_RDWR);  // unblocks accept()
  {
    // Idle keep-alive connections stop waiting for a next request; answers
    // being written (streams included) go on to their end.
    std::lock_guard<std::mutex> lock(s.sockets_mu);
    for (auto& entry : s.sockets) ::shutdown(entry.first, SHUT_RD);
  }
  s.wake();
}

}  // namespace lac::server
