/*
 * What the spawn storm starts: a process that exits at once with status 0.
 * Linked statically, so its exec maps one file and runs no dynamic loader:
 * the storm measures process creation, not library loading.
 */
int main(void)
{
	return 0;
}
