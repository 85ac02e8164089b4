// Quantizes a GGUF with llama.cpp's own llama_model_quantize (from the
// prebuilt libllama that node-llama-cpp ships), for check_quantize.sh.
// usage: llama_quantize IN OUT FTYPE_NUMBER
#include <cstdio>
#include <cstdlib>

#include "llama.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: llama_quantize IN OUT FTYPE_NUMBER\n");
    return 2;
  }
  llama_backend_init();
  llama_model_quantize_params params = llama_model_quantize_default_params();
  params.nthread = 2;
  params.ftype = static_cast<llama_ftype>(std::atoi(argv[3]));
  const uint32_t rc = llama_model_quantize(argv[1], argv[2], &params);
  llama_backend_free();
  return rc == 0 ? 0 : 1;
}
