"""Factor analysis as an EM model: engine, command line, trace file and exports, registered in
em_models/registry.py."""
