/** The JSON body of a response, typed loosely for assertions. */
export async function json(res: Response): Promise<any> {
  return res.json();
}
