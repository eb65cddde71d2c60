// pkm-nats-echo: the baseline responder for pkm-nats-load. It subscribes
// to --subject and answers every request with its own body, on a connection
// with SendAsap set like pkm-server's NATS gateway, so the pair measures
// plain NATS request/reply with nothing behind it. Runs until SIGTERM or
// SIGINT. Prints "pkm-nats-echo: ready ..." on stdout once the server has
// its subscription, and how many requests it answered on stderr at exit.
// Exit status: 0 after a signal, 2 for bad flags or a connection failure.
#include <nats/nats.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>

namespace pkm::bench {
namespace {

struct EchoState {
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> failed{0};
};

// On NATS.c's delivery thread: sends the body back to the reply subject.
void on_request(natsConnection* connection, natsSubscription*,
                natsMsg* message, void* closure) {
  auto& state = *static_cast<EchoState*>(closure);
  const char* reply = natsMsg_GetReply(message);
  if (reply != nullptr && reply[0] != '\0') {
    natsStatus status =
        natsConnection_Publish(connection, reply, natsMsg_GetData(message),
                               natsMsg_GetDataLength(message));
    if (status == NATS_OK) {
      state.answered.fetch_add(1, std::memory_order_relaxed);
    } else {
      state.failed.fetch_add(1, std::memory_order_relaxed);
    }
  }
  natsMsg_Destroy(message);
}

int run(const std::string& nats_url, const std::string& subject) {
  // Block the stop signals before NATS.c starts its threads, so they all
  // inherit the mask and only sigwait() below sees the signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  natsOptions* options = nullptr;
  natsStatus status = natsOptions_Create(&options);
  if (status == NATS_OK) status = natsOptions_SetURL(options, nats_url.c_str());
  if (status == NATS_OK) status = natsOptions_SetName(options, "pkm-nats-echo");
  if (status == NATS_OK) status = natsOptions_SetSendAsap(options, true);
  natsConnection* connection = nullptr;
  if (status == NATS_OK) status = natsConnection_Connect(&connection, options);
  natsOptions_Destroy(options);
  if (status != NATS_OK) {
    std::fprintf(stderr, "pkm-nats-echo: cannot connect to %s: %s\n",
                 nats_url.c_str(), natsStatus_GetText(status));
    return 2;
  }

  EchoState state;
  natsSubscription* subscription = nullptr;
  status = natsConnection_Subscribe(&subscription, connection,
                                    subject.c_str(), on_request, &state);
  if (status == NATS_OK) {
    status = natsSubscription_SetPendingLimits(subscription, -1, -1);
  }
  if (status == NATS_OK) status = natsConnection_FlushTimeout(connection, 5000);
  if (status != NATS_OK) {
    std::fprintf(stderr, "pkm-nats-echo: cannot subscribe to %s: %s\n",
                 subject.c_str(), natsStatus_GetText(status));
    natsSubscription_Destroy(subscription);
    natsConnection_Destroy(connection);
    return 2;
  }

  // Scripts wait for this line before they send load.
  std::printf("pkm-nats-echo: ready subject=%s\n", subject.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);

  natsSubscription_Unsubscribe(subscription);
  natsSubscription_Destroy(subscription);
  natsConnection_Close(connection);
  natsConnection_Destroy(connection);
  nats_CloseAndWait(5000);
  std::fprintf(stderr,
               "pkm-nats-echo: stopped by signal %d; answered=%llu "
               "failed=%llu\n",
               signal_number,
               static_cast<unsigned long long>(state.answered.load()),
               static_cast<unsigned long long>(state.failed.load()));
  return 0;
}

}  // namespace
}  // namespace pkm::bench

int main(int argc, char** argv) {
  std::string nats_url;
  std::string subject = "bench.echo";
  CLI::App app{
      "Answers every NATS request on --subject with its own body until "
      "SIGTERM or SIGINT."};
  app.add_option("--nats-url", nats_url,
                 "NATS server, e.g. nats://127.0.0.1:4222")
      ->required();
  app.add_option("--subject", subject, "subject to answer")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return pkm::bench::run(nats_url, subject);
}
