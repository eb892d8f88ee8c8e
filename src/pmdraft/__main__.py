from pmdraft.cli import main

main()
