from pencilnet.cli import main

main()
