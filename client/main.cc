// pkm-client: see client/command_line.h for the commands and flags.
#include "client/command_line.h"

int main(int argc, char** argv) {
  return pkm::client::run_command_line(argc, argv);
}
