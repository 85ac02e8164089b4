// pipit_uart_host: the firmware's UART protocol on a host, stdin/stdout
// standing in for the UART. Same server code as the device (server/uart/),
// so a session here shows what the board answers:
//
//   printf 'Hello\n/temp 0\nHello\n' | pipit_uart_host .cache/models/pico-Q4_0.gguf
//
// Options set the server's defaults: --ctx N, --batch N, --n N, --max-line N.
// --heap prints heap use to stderr (glibc mallinfo2, every allocation kept
// in the arena): after loading the model, after creating the context, and
// the peak over the session, sampled at every write and every input byte.
// Exits 0 at the end of stdin, 1 when the model does not load.
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "model/context.h"
#include "model/model.h"
#include "platform/platform.h"
#include "uart_server.h"

namespace {

size_t g_heap_peak = 0;

size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void WriteStdout(void*, const char* data, size_t size) {
  g_heap_peak = std::max(g_heap_peak, HeapInUse());
  std::fwrite(data, 1, size, stdout);
  std::fflush(stdout);  // stream like a UART, piece by piece
}

// What the engine itself holds for this model: the model (tokenizer index,
// norms) and a context as the server creates it.
void ReportEngineHeap(pipit::platform::ByteSpan bytes, const pipit::uart::UartServerOptions& options) {
  const size_t base = HeapInUse();
  std::unique_ptr<pipit::Model> model;
  if (!pipit::Model::FromBytes(bytes, &model).ok()) return;
  const size_t after_model = HeapInUse();
  pipit::ContextParams params;
  params.n_ctx = options.n_ctx > 0 ? options.n_ctx : std::min(model->config().n_ctx_train, 256);
  params.n_batch = options.n_batch;
  params.n_threads = 1;
  std::unique_ptr<pipit::Context> ctx;
  if (!pipit::Context::Create(*model, params, &ctx).ok()) return;
  const size_t after_ctx = HeapInUse();
  std::fprintf(stderr, "heap: model %zu bytes, context %zu bytes (kv cache %zu), n_ctx %d, n_batch %d\n",
               after_model - base, after_ctx - after_model, ctx->kv().bytes(), params.n_ctx, params.n_batch);
}

bool ParseCount(const char* s, long* out) {
  char* end = nullptr;
  *out = std::strtol(s, &end, 10);
  return end != s && *end == '\0' && *out > 0 && *out < (1L << 24);
}

}  // namespace

int main(int argc, char** argv) {
  pipit::uart::UartServerOptions options;
  const char* model_path = nullptr;
  bool heap = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    long v = 0;
    if (a[0] != '-') {
      model_path = argv[i];
      continue;
    }
    if (a == "--heap") {
      heap = true;
      continue;
    }
    if (i + 1 >= argc || !ParseCount(argv[i + 1], &v)) {
      std::fprintf(stderr, "pipit_uart_host: %s needs a positive integer\n", a.c_str());
      return 2;
    }
    ++i;
    if (a == "--ctx") options.n_ctx = static_cast<int>(v);
    else if (a == "--batch") options.n_batch = static_cast<int>(v);
    else if (a == "--n") options.n_predict = static_cast<int>(v);
    else if (a == "--max-line") options.max_line = static_cast<size_t>(v);
    else {
      std::fprintf(stderr, "pipit_uart_host: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (model_path == nullptr) {
    std::fprintf(stderr,
                 "usage: pipit_uart_host MODEL.gguf [--ctx N] [--batch N] [--n N] [--max-line N] [--heap] < input\n");
    return 2;
  }
  pipit::platform::MappedFile file;
  if (pipit::Status s = file.Open(model_path); !s.ok()) {
    std::fprintf(stderr, "pipit_uart_host: %s\n", s.message().c_str());
    return 1;
  }
  if (heap) {
    mallopt(M_MMAP_MAX, 0);  // keep every block in the arena, where mallinfo2 counts it
    ReportEngineHeap(file.bytes(), options);
  }
  const size_t base = HeapInUse();
  {
    pipit::uart::UartServer server(options);
    if (!server.Start(file.bytes(), WriteStdout, nullptr).ok()) return 1;
    const size_t started = HeapInUse();
    for (int c; (c = std::getchar()) != EOF;) {
      server.OnByte(static_cast<uint8_t>(c));
      g_heap_peak = std::max(g_heap_peak, HeapInUse());
    }
    if (heap) {
      std::fprintf(stderr, "heap: server after Start %zu bytes, session peak %zu bytes\n", started - base,
                   std::max(g_heap_peak, started) - base);
    }
  }
  return 0;
}
