// Command lines of the form `TOOL [options] MODEL`: the options of `visible`
// plus one positional argument stored as vm["model"]. Shared by lac-compile
// and lac-serve (lac-run's subcommands have their own, tools/lac-run/common.h).
#pragma once

#include <boost/program_options.hpp>

#include <string>

namespace lac::cli {

// Parses argv; false with *error set ("unrecognised option '--x'") on a bad
// option. Whether "model" was given is the caller's to check.
inline bool parseWithModel(int argc, char** argv, const boost::program_options::options_description& visible,
                           boost::program_options::variables_map& vm, std::string* error) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>(), "the model");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("model", 1);
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    *error = e.what();
    return false;
  }
  return true;
}

}  // namespace lac::cli
